"""Live sessions over real HTTP requests (Flask's test client) and a real database: a leader,
a projector and phones, each phone with its own cookie jar, as in a staff room."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from elearn.cli import elearn_cli
from elearn.live.models import ENDED, LiveParticipant, LiveSession, LiveVote
from elearn.live.service import CODE_ALPHABET, new_code
from elearn.tracking.models import StoredStatement
from tests.conftest import PLAY_COURSE, csrf_from, import_course, login, make_test_app
from tests.live.helpers import act, code_of, join, leader, round_of, start_session, step_of, vote


def _pid(url: str) -> str:
    return url.split("/s/")[1].split("/")[0]


def _db(app: Flask):
    return app.extensions["elearn"].session_factory()


def _session(app: Flask, url: str) -> LiveSession:
    with _db(app) as db:
        live = db.scalar(select(LiveSession).where(LiveSession.public_id == _pid(url)))
        assert live is not None
        return live


def test_a_room_plays_a_scenario_to_the_end(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead, "first", lang="en")
    page = lead.get(url).get_data(as_text=True)
    code = code_of(page)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    projector = f"/live/s/{_pid(url)}/projector"
    shown = lead.get(projector).get_data(as_text=True)
    assert code in shown and "data:image/svg+xml;base64," in shown  # code and QR code
    assert "A pupil asks to talk." in shown and "Call the parents" in shown

    phones = [join(app, code, nickname=f"P{i}") for i in range(5)]
    for (phone, purl), choice in zip(
        phones, ["listen", "listen", "call-parents", "listen", "listen"], strict=True
    ):
        assert vote(phone, purl, choice).status_code == 303
    # A second vote from the same phone replaces its first.
    assert vote(*phones[2], "listen").status_code == 303
    page = lead.get(url).get_data(as_text=True)
    assert "5 votes" in page and "5 phones joined" in page
    assert "Dangerous" not in lead.get(projector).get_data(as_text=True)

    assert act(lead, url, "reveal").status_code == 303
    shown = lead.get(projector).get_data(as_text=True)
    assert "5 (100 %)" in shown and "0 (0 %)" in shown  # the distribution, not who voted
    assert "P0" not in shown

    assert act(lead, url, "pick", choice="listen").status_code == 303
    shown = lead.get(projector).get_data(as_text=True)
    assert "The room chose" in shown and "Good: she is heard." in shown
    phone_page = phones[0][0].get(phones[0][1] + "?lang=en").get_data(as_text=True)
    assert "Good: she is heard." in phone_page

    assert act(lead, url, "next").status_code == 303  # on to the second decision
    assert "You talk." in lead.get(projector).get_data(as_text=True)
    for phone, purl in phones[:3]:
        assert vote(phone, purl, "consult").status_code == 303
    assert act(lead, url, "next").status_code == 303  # Page Down: reveal
    assert act(lead, url, "next").status_code == 303  # Page Down: follow the most votes
    assert "Right: they advise" in lead.get(projector).get_data(as_text=True)
    assert act(lead, url, "next").status_code == 303
    assert "Help in time" in lead.get(projector).get_data(as_text=True)  # trust 2: good end
    assert act(lead, url, "next").status_code == 303
    assert "last decision" in lead.get(projector).get_data(as_text=True)

    _end_and_check_the_record(app, lead, url, code, phones)


def _end_and_check_the_record(app: Flask, lead, url: str, code: str, phones: list) -> None:
    response = act(lead, url, "end")
    assert response.status_code == 303 and response.headers["Location"].endswith("/debrief")
    debrief = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert '<dd id="live-participants">5</dd>' in debrief
    assert "A pupil asks to talk." in debrief and "You talk." in debrief
    assert "What do we do here?" in debrief  # the discussion questions
    assert "The Expert Team" in debrief  # the help list
    assert "Help in time" in debrief
    assert debrief.count("the room&#39;s choice") == 2

    live = _session(app, url)
    assert live.status == ENDED and live.participants == 5
    with _db(app) as db:
        assert db.scalars(select(LiveVote)).all() == []  # votes go at the end
        nicknames = db.scalars(select(LiveParticipant.nickname)).all()
        assert nicknames == [None] * 5  # nicknames too
    # The phones are told, and the code is free for another session.
    assert "The session has ended" in phones[1][0].get(phones[1][1] + "?lang=en").get_data(
        as_text=True
    )
    assert lead.get(f"/live/j/{code}").status_code == 200


def test_bad_votes_are_refused_and_change_nothing(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    code = code_of(lead.get(url).get_data(as_text=True))
    phone, purl = join(app, code)
    other, ourl = join(app, code)
    assert vote(phone, purl, "listen").status_code == 303

    # A choice not offered here (from the other node): 400, a clear message, nothing recorded.
    response = vote(other, ourl, "consult")
    assert response.status_code == 400
    assert "not one of the choices" in response.get_data(as_text=True)
    # A made-up round (a tampered or very old form) is refused like a closed vote.
    response = vote(other, ourl, "listen", round_="99")
    assert response.status_code == 409
    assert "1 vote ·" in lead.get(url).get_data(as_text=True)

    token = csrf_from(other.get(ourl).get_data(as_text=True))  # the form as it was shown
    assert act(lead, url, "reveal").status_code == 303
    assert "Voting has closed" in other.get(ourl).get_data(as_text=True)
    response = other.post(
        f"{ourl}/vote", data={"csrf_token": token, "round": "1", "choice": "listen"}
    )
    assert response.status_code == 409
    assert "Voting on this decision has closed" in response.get_data(as_text=True)
    with _db(app) as db:
        assert [v.choice_id for v in db.scalars(select(LiveVote))] == ["listen"]

    # A phone that never joined is sent to the join page, not counted.
    stranger = app.test_client()
    assert stranger.get(purl).status_code == 302


def test_a_stale_leader_tab_is_refused_with_the_current_state(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    old_step = step_of(lead.get(url).get_data(as_text=True))
    assert act(lead, url, "reveal").status_code == 303  # the first tab moves on
    response = act(lead, url, "reveal", step=old_step)  # the second tab, still at the old step
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "moved the session on from another window" in page
    assert "the votes are shown" in page  # the page shows where the session really is
    assert _session(app, url).step == int(old_step) + 1


def test_back_a_step_keeps_the_votes_and_a_new_round_starts_clean(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    code = code_of(lead.get(url).get_data(as_text=True))
    phone, purl = join(app, code)
    assert vote(phone, purl, "call-parents").status_code == 303
    act(lead, url, "reveal")
    act(lead, url, "pick", choice="call-parents")
    assert "Dangerous" in lead.get(url).get_data(as_text=True)
    assert act(lead, url, "back").status_code == 303  # back to the revealed votes
    page = lead.get(url).get_data(as_text=True)
    assert "the votes are shown" in page and "1 vote ·" in page
    assert act(lead, url, "back").status_code == 303  # back to voting: the phone may change
    assert vote(phone, purl, "listen").status_code == 303
    act(lead, url, "pick", choice="listen")
    act(lead, url, "next")
    page = lead.get(url).get_data(as_text=True)
    assert "0 votes" in page and "She is frightened now." not in page  # the path was undone
    # Going back past the start is refused with a message, nothing changes.
    url2 = start_session(lead)
    response = act(lead, url2, "back")
    assert response.status_code == 303
    assert "nothing to go back to" in lead.get(response.headers["Location"]).get_data(as_text=True)


def test_pause_refuses_votes_until_the_leader_continues(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    phone, purl = join(app, code_of(lead.get(url).get_data(as_text=True)))
    page = phone.get(purl).get_data(as_text=True)
    act(lead, url, "pause")
    response = phone.post(
        f"{purl}/vote",
        data={"csrf_token": csrf_from(page), "round": round_of(page), "choice": "listen"},
    )
    assert response.status_code == 409 and "paused" in response.get_data(as_text=True)
    act(lead, url, "resume")
    assert vote(phone, purl, "listen").status_code == 303


def test_only_the_leader_sees_the_control_view_and_the_notes(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    page = lead.get(url).get_data(as_text=True)
    assert "What do we do here?" in page and "No real cases." in page
    assert "What does the pupil need?" in page  # the node's own question
    projector = lead.get(f"/live/s/{_pid(url)}/projector").get_data(as_text=True)
    assert "No real cases." not in projector
    other = leader(app, "kollega@example.no")
    assert other.get(url).status_code == 404
    assert other.get(f"/live/s/{_pid(url)}/projector").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302  # to the login page


def test_projector_language_is_the_leaders_choice_phones_choose_their_own(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead, lang="nn")
    projector = lead.get(f"/live/s/{_pid(url)}/projector").get_data(as_text=True)
    assert '<html lang="nn">' in projector and "Ein elev ber om å få snakke." in projector
    phone, purl = join(app, code_of(lead.get(url).get_data(as_text=True)))
    page = phone.get(f"{purl}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "A pupil asks to talk." in page
    assert act(lead, url, "language", lang="en").status_code == 303
    projector = lead.get(f"/live/s/{_pid(url)}/projector").get_data(as_text=True)
    assert "A pupil asks to talk." in projector


def test_joining_with_a_wrong_code_says_so_and_is_rate_limited(db, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path, ELEARN_LIVE_JOIN_LIMIT="3/minute")
    import_course(app, PLAY_COURSE)
    phone = app.test_client()
    page = phone.get("/live/?lang=en").get_data(as_text=True)
    response = phone.post("/live/join", data={"csrf_token": csrf_from(page), "code": "ab"})
    assert response.status_code == 400 and "6-character code" in response.get_data(as_text=True)
    for _ in range(3):
        response = phone.post("/live/join", data={"csrf_token": csrf_from(page), "code": "XXXXXX"})
        assert response.status_code == 404
        assert "There is no live session with that code" in response.get_data(as_text=True)
    response = phone.post("/live/join", data={"csrf_token": csrf_from(page), "code": "XXXXXX"})
    assert response.status_code == 429


def test_codes_are_unambiguous_and_unique_among_live_sessions(app: Flask) -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) > 1990  # 25**6 codes: collisions are rare
    assert not set("".join(codes)) & set("0O1IL5S2Z8B")
    lead = leader(app)
    urls = [start_session(lead) for _ in range(5)]
    live_codes = [_session(app, u).code for u in urls]
    assert len(set(live_codes)) == 5
    # A participant may type the code in small letters, with spaces.
    typed = " ".join(live_codes[0].lower()[i : i + 3] for i in (0, 3))
    join(app, typed)


def test_idle_sessions_expire_and_free_their_code(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    code = code_of(lead.get(url).get_data(as_text=True))
    join(app, code)
    with _db(app) as db:
        db.execute(update(LiveSession).values(updated_at=dt.datetime(2020, 1, 1), ended_at=None))
        db.commit()
    result = app.test_cli_runner().invoke(elearn_cli, ["live-expire"])
    assert "ended for inactivity: 1" in result.output
    live = _session(app, url)
    assert live.status == ENDED and live.participants == 1
    phone = app.test_client()
    page = phone.get(f"/live/j/{code}").get_data(as_text=True)
    response = phone.post("/live/join", data={"csrf_token": csrf_from(page), "code": code})
    assert response.status_code == 404
    assert lead.get(url).status_code == 302  # the leader is taken to the debrief


def test_a_participant_with_an_account_may_add_attended_to_their_record(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead)
    code = code_of(lead.get(url).get_data(as_text=True))
    leader(app, "deltaker@example.no")  # an account made elsewhere
    phone, purl = join(app, code)
    anonymous, aurl = join(app, code)
    act(lead, url, "end")

    page = anonymous.get(aurl).get_data(as_text=True)
    assert "Log in to add it to your record" in page
    login(phone, "deltaker@example.no")
    page = phone.get(purl).get_data(as_text=True)
    with _db(app) as db:
        before = db.scalar(select(StoredStatement.id).limit(1))
    assert before is None  # nothing recorded unless asked
    response = phone.post(f"{purl}/attended", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert "now in your learning record" in phone.get(purl).get_data(as_text=True)
    # Twice is once.
    phone.post(f"{purl}/attended", data={"csrf_token": csrf_from(page)})
    with _db(app) as db:
        rows = db.scalars(select(StoredStatement)).all()
    assert len(rows) == 1
    body = rows[0].body if isinstance(rows[0].body, dict) else json.loads(rows[0].body)
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert body["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    assert re.search(r"/courses/play-course/live/[0-9a-f-]{36}$", body["object"]["id"])
    assert body["context"]["registration"] == _pid(url)


def test_the_whole_course_runs_scenario_after_scenario(app: Flask) -> None:
    lead = leader(app)
    url = start_session(lead, scenario="")
    code = code_of(lead.get(url).get_data(as_text=True))
    join(app, code)
    projector = f"/live/s/{_pid(url)}/projector"
    for _ in range(30):  # follow whatever is first, until the course is done
        page = lead.get(url).get_data(as_text=True)
        if "All decisions are made" in page:
            break
        if "the room is voting" in page:
            choice = re.search(r'name="choice" value="([^"]+)"', page).group(1)
            act(lead, url, "pick", choice=choice)
        else:
            assert act(lead, url, "next").status_code == 303
    else:
        raise AssertionError("the course did not end")
    live = _session(app, url)
    assert set(live.state["states"]) == {"first", "second"}
    assert "last decision" in lead.get(projector).get_data(as_text=True)
