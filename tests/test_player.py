"""A learner plays the fixture course in the server-rendered player (no JavaScript needed)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.content import load_course
from elearn.core import engine
from elearn.player.models import Attempt
from elearn.tracking.models import StoredStatement
from tests.conftest import PASSWORD, csrf_from, form_value, register
from tests.xapi_checks import assert_valid

VERBS = "http://adlnet.gov/expapi/verbs/"
PLAY_COURSE = Path(__file__).parent / "fixtures" / "play-course"


def start_course(client: FlaskClient, course_id: str = "play-course") -> tuple[str, str]:
    page = client.get(f"/c/{course_id}").get_data(as_text=True)
    response = client.post(f"/c/{course_id}/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, client.get(location).get_data(as_text=True)


def choose(client: FlaskClient, page: str, choice: str) -> tuple[str, str]:
    action = re.search(r'<form method="post" action="([^"]+/choose)"', page)
    assert action, "no choice form on the page"
    response = client.post(
        action.group(1),
        data={"csrf_token": csrf_from(page), "step": form_value(page, "step"), "choice": choice},
    )
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    return location, client.get(location).get_data(as_text=True)


def enter(client: FlaskClient, page: str, scenario_id: str) -> str:
    action = re.search(rf'action="([^"]+/s/{scenario_id}/enter)"', page)
    assert action, f"no way to enter {scenario_id}"
    response = client.post(
        action.group(1), data={"csrf_token": csrf_from(page), "step": form_value(page, "step")}
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def statements(app: Flask) -> list[dict]:
    session = app.extensions["elearn"].session_factory()
    try:
        return [
            r.body for r in session.scalars(select(StoredStatement).order_by(StoredStatement.seq))
        ]
    finally:
        session.close()


def attempts(app: Flask) -> list[Attempt]:
    session = app.extensions["elearn"].session_factory()
    try:
        return list(session.scalars(select(Attempt).order_by(Attempt.id)))
    finally:
        session.close()


def verbs(sts: list[dict]) -> list[str]:
    return [s["verb"]["id"].removeprefix(VERBS) for s in sts]


def test_best_path_to_the_end_passes_and_every_step_is_valid_xapi(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    location, page = start_course(client)
    assert location.endswith("/s/first#main")
    assert "A pupil asks to talk." in page
    assert 'alt="A closed door"' in page
    assert "What does the pupil need?" in page  # reflection prompt

    location, page = choose(client, page, "listen")
    assert location.endswith("#feedback")
    assert 'id="feedback"' in page and "Good: she is heard." in page
    assert "She is frightened now." not in page

    _, page = choose(client, page, "consult")
    assert "Help in time" in page and "A good outcome" in page
    assert "4 of 4 possible" in page
    assert "Good: she is heard." in page and "Right: they advise" in page  # what each choice meant
    assert "47 80 90 50" in page  # where to get help

    page = enter(client, page, "second")
    _, page = choose(client, page, "interpreter")
    assert "See the course result" in page
    result = client.get(re.search(r'href="([^"]+/result)"', page).group(1)).get_data(as_text=True)
    assert "Passed" in result and "You scored 100%." in result

    sts = statements(app)
    assert_valid(sts)
    assert verbs(sts) == [
        "launched", "initialized", "experienced",
        "answered", "experienced", "progressed",
        "answered", "experienced", "progressed", "completed",
        "experienced",
        "answered", "experienced", "progressed", "completed",
        "completed", "passed", "terminated",
    ]  # fmt: skip
    registration = attempts(app)[0].registration
    assert {s["context"]["registration"] for s in sts} == {registration}
    answered = [s for s in sts if s["verb"]["id"].endswith("answered")]
    assert [a["result"]["response"] for a in answered] == ["listen", "consult", "interpreter"]
    assert answered[0]["result"]["success"] is True
    assert answered[0]["object"]["definition"]["interactionType"] == "choice"
    passed = sts[-2]["result"]
    assert passed["success"] is True and passed["score"] == {
        "scaled": 1.0, "raw": 6.0, "min": -1.0, "max": 6.0
    }  # fmt: skip
    assert all("name" not in s["actor"] and "mbox" not in s["actor"] for s in sts)


def test_worst_path_fails_and_shows_the_delayed_consequence(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    _, page = start_course(client)
    _, page = choose(client, page, "call-parents")
    assert "Dangerous: it can lead to reprisals." in page
    assert "She is frightened now." in page  # conditional text after telling the parents
    assert 'value="wait-anyway"' in page and 'value="wait"' not in page  # conditional choices
    _, page = choose(client, page, "wait-anyway")
    assert "A poor outcome" in page
    page = enter(client, page, "second")
    _, page = choose(client, page, "sibling")
    result = client.get(re.search(r'href="([^"]+/result)"', page).group(1)).get_data(as_text=True)
    assert "Not passed" in result
    assert verbs(statements(app))[-2] == "failed"


def test_double_submit_and_back_button_change_nothing(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    _, first_page = start_course(client)
    data = {
        "csrf_token": csrf_from(first_page),
        "step": form_value(first_page, "step"),
        "choice": "listen",
    }
    action = re.search(r'action="([^"]+/choose)"', first_page).group(1)
    assert client.post(action, data=data).status_code == 302
    again = client.post(action, data=data, follow_redirects=True).get_data(as_text=True)
    assert "That page was out of date" in again
    # The back button shows the first page again; choosing from it is refused the same way.
    stale = client.post(action, data={**data, "choice": "call-parents"}, follow_redirects=True)
    assert "That page was out of date" in stale.get_data(as_text=True)
    (attempt,) = attempts(app)
    assert attempt.state["scenarios"]["first"]["path"] == [["intro", "listen"]]
    assert verbs(statements(app)).count("answered") == 1


def test_a_choice_that_is_not_offered_is_refused(app: Flask, learner_client: FlaskClient) -> None:
    client = learner_client
    _, page = start_course(client)
    _, page = choose(client, page, "call-parents")
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    response = client.post(
        action,
        data={"csrf_token": csrf_from(page), "step": form_value(page, "step"), "choice": "wait"},
    )
    assert response.status_code == 400
    assert attempts(app)[0].state["scenarios"]["first"]["node"] == "talk"


def test_a_form_without_csrf_token_is_refused(app: Flask, learner_client: FlaskClient) -> None:
    client = learner_client
    _, page = start_course(client)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    response = client.post(action, data={"step": form_value(page, "step"), "choice": "listen"})
    assert response.status_code == 400
    assert attempts(app)[0].state["scenarios"]["first"]["path"] == []


def test_resume_on_another_device_continues_where_i_left_off(
    app: Flask, learner_client: FlaskClient
) -> None:
    _, page = start_course(learner_client)
    choose(learner_client, page, "listen")
    other = app.test_client()
    login = other.get("/login").get_data(as_text=True)
    other.post(
        "/login",
        data={"csrf_token": csrf_from(login), "email": "laerer@example.no", "password": PASSWORD},
    )
    course_page = other.get("/c/play-course").get_data(as_text=True)
    assert "In progress" in course_page
    _, page = start_course(other)
    assert "You talk." in page and "Good: she is heard." in page
    assert len(attempts(app)) == 1


def test_pause_and_come_back_records_suspended_and_resumed(
    app: Flask, learner_client: FlaskClient
) -> None:
    client = learner_client
    _, page = start_course(client)
    action = re.search(r'action="([^"]+/suspend)"', page).group(1)
    response = client.post(
        action,
        data={"csrf_token": csrf_from(page), "step": form_value(page, "step")},
        follow_redirects=True,
    )
    assert "Your progress is saved" in response.get_data(as_text=True)
    start_course(client)
    assert verbs(statements(app))[-2:] == ["suspended", "resumed"]


def test_restart_begins_a_new_registration(app: Flask, learner_client: FlaskClient) -> None:
    client = learner_client
    _, page = start_course(client)
    choose(client, page, "listen")
    course_page = client.get("/c/play-course").get_data(as_text=True)
    form = re.search(r'action="(/c/play-course/restart)".*?</form>', course_page, re.S).group(0)
    response = client.post(
        "/c/play-course/restart",
        data={
            "csrf_token": csrf_from(course_page),
            "attempt_id": form_value(form, "attempt_id"),
            "step": form_value(form, "step"),
        },
    )
    assert response.status_code == 302
    old, new = attempts(app)
    assert old.status == "abandoned" and new.status == "active"
    assert old.registration != new.registration
    assert new.state["scenarios"]["first"]["path"] == []
    old_verbs = [s for s in statements(app) if s["context"]["registration"] == old.registration]
    assert verbs(old_verbs)[-1] == "terminated"


def test_an_attempt_keeps_its_course_version_when_the_course_changes(
    app: Flask, learner_client: FlaskClient, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import PLAY_COURSE, import_course

    client = learner_client
    _, page = start_course(client)
    changed = tmp_path / "play-course"
    shutil.copytree(PLAY_COURSE, changed)
    first = changed / "first.yaml"
    first.write_text(first.read_text().replace("A pupil asks to talk.", "A pupil knocks."))
    import_course(app, changed)
    # The running attempt still shows the version it started on ...
    assert "A pupil asks to talk." in client.get("/a/1/s/first").get_data(as_text=True)
    # ... and a new learner gets the new version.
    other = app.test_client()
    register(other, "ny@example.no")
    _, page = start_course(other)
    assert "A pupil knocks." in page


def test_someone_elses_attempt_is_not_found(app: Flask, learner_client: FlaskClient) -> None:
    location, _ = start_course(learner_client)
    other = app.test_client()
    register(other, "annen@example.no")
    assert other.get(location.split("#")[0]).status_code == 404


def test_language_switch_changes_interface_and_course_text(
    app: Flask, learner_client: FlaskClient
) -> None:
    location, _ = start_course(learner_client)
    page = learner_client.get(location.split("#")[0] + "?lang=nn").get_data(as_text=True)
    assert '<html lang="nn">' in page
    assert "Ein elev ber om å få snakke." in page and "Kva gjer du no?" in page
    page = learner_client.get("/c/play-course?lang=nb").get_data(as_text=True)
    assert '<html lang="nb">' in page and "Start kurset på nytt" in page


def test_the_player_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/a/1/s/first")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_leader_finds_facilitator_notes_for_running_the_course(client: FlaskClient) -> None:
    course_page = client.get("/c/play-course?lang=en").get_data(as_text=True)
    assert 'href="/c/play-course/facilitator"' in course_page
    assert "The topic can be hard." in course_page  # the content notice, before starting
    notes = client.get("/c/play-course/facilitator").get_data(as_text=True)
    assert "Allow 15 minutes." in notes and "What do we do here?" in notes
    assert "The topic can be hard." in notes
    assert "No real cases." in notes
    assert "This scenario has no notes of its own." in notes  # the second scenario
    nynorsk = client.get("/c/play-course/facilitator?lang=nn").get_data(as_text=True)
    assert "Kva gjer vi her?" in nynorsk and "Set av 15 minutt." in nynorsk


def test_where_to_get_help_is_one_click_from_the_course_without_logging_in(
    client: FlaskClient,
) -> None:
    course_page = client.get("/c/play-course?lang=nn").get_data(as_text=True)
    assert 'href="/c/play-course/help"' in course_page
    page = client.get("/c/play-course/help?lang=nn").get_data(as_text=True)
    assert "<h1>Her får du hjelp</h1>" in page
    assert 'href="tel:47809050"' in page  # the phone number can be called from a phone
    assert client.get("/c/no-such-course/help").status_code == 404


def test_restart_only_touches_the_course_it_is_for(app: Flask, learner_client: FlaskClient) -> None:
    start_course(learner_client)
    (attempt,) = attempts(app)
    course_page = learner_client.get("/c/play-course").get_data(as_text=True)
    response = learner_client.post(
        "/c/other-course/restart",
        data={"csrf_token": csrf_from(course_page), "attempt_id": str(attempt.id), "step": "1"},
    )
    assert response.status_code == 404
    assert attempts(app)[0].status == "active"


def test_scores_without_a_range_leave_out_min_and_max() -> None:
    from elearn.tracking.statements import score_result

    result = score_result(0, 0, 0, 0.0, completion=True).as_version("1.0.3")
    assert result["score"] == {"raw": 0.0, "scaled": 0.0}
    ranged = score_result(3, -1, 4, 0.75).as_version("1.0.3")
    assert ranged["score"] == {"raw": 3.0, "min": -1.0, "max": 4.0, "scaled": 0.75}


def shown_choices(page: str) -> list[str]:
    return re.findall(r'<button type="submit" name="choice" value="([^"]+)"', page)


def set_registration(app: Flask, registration: str) -> None:
    """Gives the active attempt a chosen registration (new ones get a random uuid4), so the
    orders below are the same on every run."""
    session = app.extensions["elearn"].session_factory()
    try:
        attempt = session.scalars(select(Attempt).where(Attempt.status == "active")).one()
        attempt.registration = registration
        session.commit()
    finally:
        session.close()


def restart(client: FlaskClient) -> None:
    course_page = client.get("/c/play-course").get_data(as_text=True)
    form = re.search(r'action="(/c/play-course/restart)".*?</form>', course_page, re.S).group(0)
    response = client.post(
        "/c/play-course/restart",
        data={
            "csrf_token": csrf_from(course_page),
            "attempt_id": form_value(form, "attempt_id"),
            "step": form_value(form, "step"),
        },
    )
    assert response.status_code == 302


def test_each_attempt_shows_the_choices_in_its_own_order(
    app: Flask, learner_client: FlaskClient
) -> None:
    """Shuffled per attempt, seeded by its registration: the same on every page of an attempt,
    different between attempts; as written on a node that says `order: fixed`."""
    client = learner_client
    intro = load_course(PLAY_COURSE).compiled["scenarios"][0]["nodes"]["intro"]
    first, fixed = [], []
    for i in range(6):
        if i:
            restart(client)
        location, _ = start_course(client)
        registration = str(uuid.UUID(int=i + 1))
        set_registration(app, registration)
        page = client.get(location).get_data(as_text=True)
        assert shown_choices(client.get(location).get_data(as_text=True)) == shown_choices(page)
        first.append(shown_choices(page))
        expected = engine.choice_order("first", intro, intro["choices"], registration)
        assert first[-1] == [c["id"] for c in expected]  # the platform's rule, as packages play it
        course_page = client.get("/c/play-course").get_data(as_text=True)
        fixed.append(shown_choices(enter(client, course_page, "second")))
    assert len({tuple(order) for order in first}) > 1  # attempts differ at least once
    assert fixed == [["interpreter", "sibling"]] * 6  # order: fixed keeps the authored order
