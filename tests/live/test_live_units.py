"""Which unit a live session counts for, and the unit report's "Facilitated sessions held"."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from elearn.accounts.models import Organisation
from elearn.accounts.service import add_membership, find_user
from elearn.live.models import LiveSession
from tests.conftest import csrf_from
from tests.live.helpers import act, code_of, join, leader
from tests.test_reports import make_orgs

FACILITATOR = "/c/play-course/facilitator?lang=en"


def _db(app: Flask):
    return app.extensions["elearn"].session_factory()


def _member(app: Flask, email: str, unit: int, role: str) -> None:
    with _db(app) as s:
        user = find_user(s, email)
        assert user is not None
        add_membership(s, user, s.get(Organisation, unit), role)
        s.commit()


def _start(client: FlaskClient, scenario: str = "first", **unit: str):
    page = client.get(FACILITATOR).get_data(as_text=True)
    return client.post(
        "/live/start",
        data={
            "csrf_token": csrf_from(page),
            "course_id": "play-course",
            "scenario_id": scenario,
            "projector_lang": "en",
            **unit,
        },
    )


def _sessions(app: Flask) -> list[LiveSession]:
    with _db(app) as db:
        return list(db.scalars(select(LiveSession).order_by(LiveSession.id)))


def _unit_options(page: str) -> list[str]:
    select_html = page.split('id="live-unit"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def test_a_leader_of_one_unit_has_it_preselected_and_the_session_counts_there(app: Flask) -> None:
    ids = make_orgs(app)
    rektor = leader(app, "rektor-a@example.no")
    _member(app, "rektor-a@example.no", ids["a"], "unit_leader")
    page = rektor.get(FACILITATOR).get_data(as_text=True)
    assert "Which unit is the session for?" in page
    assert _unit_options(page) == ["Skole A", "No unit (not counted in any report)"]
    assert re.search(rf'<option value="{ids["a"]}" selected>Skole A</option>', page)
    response = _start(rektor, unit_id=str(ids["a"]))
    assert response.status_code == 303
    assert [s.unit_id for s in _sessions(app)] == [ids["a"]]
    # "No unit" is allowed: that session counts nowhere.
    assert _start(rektor, unit_id="none").status_code == 303
    assert [s.unit_id for s in _sessions(app)] == [ids["a"], None]


def test_anyone_signed_in_may_facilitate_but_counts_for_no_unit(app: Flask) -> None:
    make_orgs(app)
    teacher = leader(app, "laerer@example.no")
    page = teacher.get(FACILITATOR).get_data(as_text=True)
    assert "Start a live session" in page and 'id="live-unit"' not in page
    assert _start(teacher).status_code == 303
    assert [s.unit_id for s in _sessions(app)] == [None]


def test_a_leader_of_several_units_must_choose_and_cannot_pick_another_units(
    app: Flask,
) -> None:
    ids = make_orgs(app)
    admin = leader(app, "kommune@example.no")
    _member(app, "kommune@example.no", ids["top"], "org_admin")
    page = admin.get(FACILITATOR).get_data(as_text=True)
    assert _unit_options(page) == [
        "Choose a unit",
        "Kommune",
        "Skole A",
        "Skole B",
        "No unit (not counted in any report)",
    ]
    # Not choosing: back to the page with the reason, no session made.
    response = _start(admin, unit_id="")
    assert response.status_code == 303 and "/facilitator" in response.headers["Location"]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose which unit the session is for" in page
    assert _sessions(app) == []
    assert _start(admin, unit_id=str(ids["b"])).status_code == 303
    assert [s.unit_id for s in _sessions(app)] == [ids["b"]]

    # A leader of school A cannot make a session count for school B (or anything made up).
    rektor = leader(app, "rektor-a@example.no")
    _member(app, "rektor-a@example.no", ids["a"], "unit_leader")
    assert _start(rektor, unit_id=str(ids["b"])).status_code == 400
    assert _start(rektor, unit_id="x1").status_code == 400
    assert len(_sessions(app)) == 1


def _held(app: Flask, client: FlaskClient, unit: int, phones: int, scenario: str = "first"):
    """A session for `unit` with `phones` phones, ended by its leader."""
    response = _start(client, scenario, unit_id=str(unit))
    lead_url = response.headers["Location"]
    code = code_of(client.get(lead_url.replace("/lead", "/projector")).get_data(as_text=True))
    for _ in range(phones):
        join(app, code)
    assert act(client, lead_url, "end").status_code == 303


def _section(page: str) -> str:
    return page.split('id="sessions-title"', 1)[1].split("</table>", 1)[0]


def test_the_unit_report_lists_sessions_held_in_its_scope_only(app: Flask) -> None:
    ids = make_orgs(app)
    rektor_a = leader(app, "rektor-a@example.no")
    _member(app, "rektor-a@example.no", ids["a"], "unit_leader")
    rektor_b = leader(app, "rektor-b@example.no")
    _member(app, "rektor-b@example.no", ids["b"], "unit_leader")
    admin = leader(app, "kommune@example.no")
    _member(app, "kommune@example.no", ids["top"], "org_admin")

    empty = rektor_a.get(f"/admin/reports?unit={ids['a']}&lang=en").get_data(as_text=True)
    assert "Facilitated sessions held" in empty
    assert "No facilitated sessions have been held for this unit" in empty

    _held(app, rektor_a, ids["a"], phones=3)
    _held(app, rektor_b, ids["b"], phones=7)
    # A live session not yet ended, and one for no unit: neither is in any report.
    _start(rektor_a, unit_id=str(ids["a"]))
    _start(rektor_b, unit_id="none")

    page_a = rektor_a.get(f"/admin/reports?unit={ids['a']}&lang=en").get_data(as_text=True)
    rows_a = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(\d+)</td>",
                        _section(page_a), re.S)  # fmt: skip
    assert len(rows_a) == 1
    assert rows_a[0][1:] == ("Test course", "First", "3")
    # School A's leader never sees school B's session, not even by asking for B.
    assert rektor_a.get(f"/admin/reports?unit={ids['b']}&lang=en").status_code == 404

    page_b = rektor_b.get(f"/admin/reports?unit={ids['b']}&lang=en").get_data(as_text=True)
    assert [r[-1] for r in re.findall(r"<td>(\d+)</td>", _section(page_b))] == ["7"]

    # The municipality's admin sees both schools' sessions at the top, each school's alone.
    top = admin.get(f"/admin/reports?unit={ids['top']}&lang=en").get_data(as_text=True)
    assert sorted(re.findall(r"<td>(\d+)</td>", _section(top))) == ["3", "7"]
    only_b = admin.get(f"/admin/reports?unit={ids['b']}&lang=en").get_data(as_text=True)
    assert re.findall(r"<td>(\d+)</td>", _section(only_b)) == ["7"]

    # The downloads carry them too, in the same scope.
    data = rektor_a.get(f"/admin/reports/export.xlsx?unit={ids['a']}&lang=en").data
    sheet = load_workbook(io.BytesIO(data))["Facilitated sessions held"]
    values = list(sheet.values)
    assert values[0] == ("Date", "Course", "Scenario", "Participants")
    assert [v[1:] for v in values[1:]] == [("Test course", "First", 3)]
    text = rektor_a.get(f"/admin/reports/export.csv?unit={ids['a']}&lang=en").data.decode(
        "utf-8-sig"
    )
    table = list(csv.reader(io.StringIO(text)))
    at = table.index(["Date", "Course", "Scenario", "Participants"])
    assert [r[1:] for r in table[at + 1 :]] == [["Test course", "First", "3"]]
