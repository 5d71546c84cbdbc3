"""Reports for unit leaders and org admins, from statements made by real played attempts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.accounts.models import Assignment, AuditEntry, Membership, Organisation, User
from elearn.accounts.service import add_membership, find_user
from elearn.tracking.models import StoredStatement
from elearn.tracking.statements import VERBS
from tests.conftest import login, register
from tests.test_player import choose, enter, start_course

# Every choice text of the fixture course in English and Bokmål: none may appear on a page
# that names people.
CHOICE_TEXTS = [
    "Listen", "Call the parents", "Consult the Expert Team", "Wait until after the holiday",
    "Wait anyway", "Book a qualified interpreter", "Let the sister interpret",
    "Lytt", "Ring foreldrene", "Rådfør deg", "Bestill tolk", "La søsteren tolke",
]  # fmt: skip
PERSON_COLUMNS = ["Name", "Course", "Due date", "Status", "Date", "Time spent"]


def _session(app: Flask) -> Session:
    return app.extensions["elearn"].session_factory()


def user_id(app: Flask, email: str) -> int:
    s = _session(app)
    try:
        user = find_user(s, email)
        assert user is not None
        return user.id
    finally:
        s.close()  # an open transaction would hold up the next test's TRUNCATE on PostgreSQL


def make_orgs(app: Flask) -> dict[str, int]:
    """A municipality with two schools."""
    s = _session(app)
    top = Organisation(slug="kommune", name="Kommune", kind="municipality")
    s.add(top)
    s.flush()
    a = Organisation(slug="skole-a", name="Skole A", kind="school", parent_id=top.id)
    b = Organisation(slug="skole-b", name="Skole B", kind="school", parent_id=top.id)
    s.add_all([a, b])
    s.flush()
    for unit in (a, b):
        s.add(Assignment(course_id="play-course", organisation_id=unit.id,
                         due_date=dt.date(2027, 1, 31)))  # fmt: skip
    ids = {"top": top.id, "a": a.id, "b": b.id}
    s.commit()
    s.close()
    return ids


def person(app: Flask, email: str, unit: int, name: str, role: str = "learner") -> FlaskClient:
    """A person who registered themselves (logged in) and was placed in a unit."""
    client = app.test_client()
    register(client, email)
    s = _session(app)
    user = find_user(s, email)
    assert user is not None
    user.display_name = name
    add_membership(s, user, s.get(Organisation, unit), role)
    s.commit()
    s.close()
    return client


def play_to_the_end(client: FlaskClient) -> None:
    _, page = start_course(client)
    _, page = choose(client, page, "listen")
    _, page = choose(client, page, "consult")
    page = enter(client, page, "second")
    choose(client, page, "interpreter")


def audit(app: Flask) -> list[AuditEntry]:
    s = _session(app)
    try:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    finally:
        s.close()


@pytest.fixture
def school(app: Flask) -> dict[str, object]:
    """School A: Kari passed, Ola in progress, Per not started; school B: Berit passed."""
    orgs = make_orgs(app)
    kari = person(app, "kari@example.no", orgs["a"], "Kari Nordmann")
    play_to_the_end(kari)
    ola = person(app, "ola@example.no", orgs["a"], "Ola Nordmann")
    _, page = start_course(ola)
    choose(ola, page, "call-parents")
    person(app, "per@example.no", orgs["a"], "Per Hansen")
    berit = person(app, "berit@example.no", orgs["b"], "Berit Skolen")
    play_to_the_end(berit)
    leader = person(app, "rektor-a@example.no", orgs["a"], "Rektor A", "unit_leader")
    return {"orgs": orgs, "leader": leader}


def table_rows(html: str) -> dict[str, list[str]]:
    """Name → the other cells of the person table, as text ({} when there is no table)."""
    if 'class="person-table"' not in html:
        assert "No courses are assigned to anyone here with these filters." in html
        return {}
    body = html.split('class="person-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        if cells and cells[0] not in PERSON_COLUMNS:
            rows[cells[0]] = cells[1:]
    return rows


def headers(html: str) -> list[str]:
    thead = html.split('class="person-table"', 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", thead)]


def test_a_leader_sees_completion_in_their_unit_and_no_choices(
    app: Flask, school: dict[str, object]
) -> None:
    leader: FlaskClient = school["leader"]  # type: ignore[assignment]
    response = leader.get("/admin/reports?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = table_rows(html)
    assert set(rows) == {"Kari Nordmann", "Ola Nordmann", "Per Hansen", "Rektor A"}
    assert rows["Kari Nordmann"][0] == "Test course"
    assert rows["Kari Nordmann"][1] == "31 January 2027"
    assert rows["Kari Nordmann"][2] == "Passed"
    assert rows["Kari Nordmann"][3] == dt.date.today().strftime("%-d %B %Y")
    assert rows["Kari Nordmann"][4].endswith("min")
    assert rows["Ola Nordmann"][2] == "In progress"
    assert rows["Per Hansen"][2:] == ["Not started", "–", "–"]
    assert "Berit" not in html  # school B's staff are not the leader's
    # Never a person's choices: no choice column, no choice text anywhere on the page.
    assert headers(html) == PERSON_COLUMNS
    for text in CHOICE_TEXTS:
        assert text not in html, text
    # The page says where its figures come from.
    assert (
        "FROM elearn_statements" in html
        and "https://example.org/elearn/courses/play-course" in html
    )


def test_a_leader_of_school_a_sees_nothing_of_school_b(
    app: Flask, school: dict[str, object]
) -> None:
    leader: FlaskClient = school["leader"]  # type: ignore[assignment]
    orgs: dict[str, int] = school["orgs"]  # type: ignore[assignment]
    b = orgs["b"]
    berit = user_id(app, "berit@example.no")
    for url in (
        f"/admin/reports?unit={b}",
        f"/admin/reports/decisions?unit={b}",
        f"/admin/reports/export.csv?unit={b}",
        f"/admin/reports/export.xlsx?unit={b}",
        f"/admin/reports?unit={orgs['top']}",
        f"/admin/reports/people/{berit}?unit={orgs['a']}",
        f"/admin/reports/people/{berit}?unit={b}",
    ):
        assert leader.get(url).status_code == 404, url
    units = leader.get("/admin/reports").get_data(as_text=True)
    assert "Skole B" not in units and "Skole A" in units
    assert [e.action for e in audit(app)] == ["report.view"]  # refusals write nothing


def test_learners_and_visitors_get_no_report(app: Flask, school: dict[str, object]) -> None:
    learner = app.test_client()
    login(learner, "kari@example.no")
    for url in ("/admin/reports", "/admin/reports/decisions", "/admin/reports/export.csv"):
        assert learner.get(url).status_code == 403
        visitor = app.test_client().get(url)
        assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


def test_an_org_admin_sees_every_unit_under_the_municipality(
    app: Flask, school: dict[str, object]
) -> None:
    orgs: dict[str, int] = school["orgs"]  # type: ignore[assignment]
    admin = person(app, "admin@example.no", orgs["top"], "Admin", "org_admin")
    html = admin.get(f"/admin/reports?unit={orgs['top']}&lang=en").get_data(as_text=True)
    rows = table_rows(html)
    assert {"Kari Nordmann", "Berit Skolen", "Per Hansen"} <= set(rows)
    assert rows["Berit Skolen"][2] == "Passed"
    only_b = table_rows(admin.get(f"/admin/reports?unit={orgs['b']}").get_data(as_text=True))
    assert set(only_b) == {"Berit Skolen"}


def test_filters_by_course_and_due_date(app: Flask, school: dict[str, object]) -> None:
    leader: FlaskClient = school["leader"]  # type: ignore[assignment]
    early = table_rows(leader.get("/admin/reports?due_by=2026-12-31").get_data(as_text=True))
    assert early == {}  # everything here is due 31 January 2027
    late = table_rows(leader.get("/admin/reports?due_by=2027-01-31").get_data(as_text=True))
    assert len(late) == 4
    other = table_rows(leader.get("/admin/reports?course=no-such").get_data(as_text=True))
    assert other == {}
    bad = leader.get("/admin/reports?due_by=31.01.2027&lang=en")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD" in page and 'aria-invalid="true"' in page


def test_csv_and_xlsx_have_the_rows_and_are_audited(app: Flask, school: dict[str, object]) -> None:
    leader: FlaskClient = school["leader"]  # type: ignore[assignment]
    orgs: dict[str, int] = school["orgs"]  # type: ignore[assignment]
    response = leader.get(f"/admin/reports/export.csv?unit={orgs['a']}&lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    response.close()  # a streamed download: closed as a server closes it
    assert rows[0] == ["Name", "Email address", "Unit", "Course", "Due date", "Status", "Date",
                       "Minutes spent"]  # fmt: skip
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Kari Nordmann", "Ola Nordmann", "Per Hansen", "Rektor A"}
    assert by_name["Kari Nordmann"][1:6] == [
        "kari@example.no", "Skole A", "Test course", "2027-01-31", "Passed"
    ]  # fmt: skip
    assert by_name["Kari Nordmann"][6] == dt.date.today().isoformat()
    assert int(by_name["Kari Nordmann"][7]) >= 1
    assert by_name["Per Hansen"][5:] == ["Not started", "", ""]

    response = leader.get(f"/admin/reports/export.xlsx?unit={orgs['a']}&lang=nb")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Navn" and values[0][5] == "Status"
    xlsx = {r[0]: r for r in values[1:]}
    assert xlsx["Ola Nordmann"][3] == "Testkurs" and xlsx["Ola Nordmann"][5] == "Påbegynt"
    assert xlsx["Kari Nordmann"][5] == "Bestått"
    for row in values:
        assert not set(map(str, row)) & set(CHOICE_TEXTS)

    entries = audit(app)
    assert [e.action for e in entries] == ["report.export", "report.export"]
    leader_id = user_id(app, "rektor-a@example.no")
    assert all(e.actor_id == leader_id and e.organisation_id == orgs["a"] for e in entries)
    assert entries[0].detail.startswith("csv rows=4") and entries[1].detail.startswith("xlsx")


def test_every_view_of_a_person_is_audited(app: Flask, school: dict[str, object]) -> None:
    leader: FlaskClient = school["leader"]  # type: ignore[assignment]
    kari = user_id(app, "kari@example.no")
    html = leader.get(f"/admin/reports/people/{kari}?lang=en").get_data(as_text=True)
    assert "Kari Nordmann" in html and "Passed" in html
    for text in CHOICE_TEXTS:
        assert text not in html, text
    leader.get("/admin/reports")
    entries = audit(app)
    assert [(e.action, e.subject_user_id) for e in entries] == [
        ("report.person", kari), ("report.view", None)
    ]  # fmt: skip


def _decisions(client: FlaskClient, lang: str = "en") -> str:
    response = client.get(f"/admin/reports/decisions?course=play-course&lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _point(html: str, heading_text: str) -> str:
    """The section of one decision point."""
    for section in html.split('<section class="decision-point"')[1:]:
        if heading_text in section.split("</h3>", 1)[0]:
            return section.split("</section>", 1)[0]
    raise AssertionError(f"no decision point {heading_text!r}")


def test_choices_are_shown_from_five_people_up(app: Flask) -> None:
    orgs = make_orgs(app)
    leader = person(app, "rektor@example.no", orgs["a"], "Rektor", "unit_leader")
    picks = ["listen", "listen", "call-parents", "listen"]
    names = [f"Lærer {i}" for i in range(5)]
    for i, pick in enumerate(picks):
        client = person(app, f"laerer{i}@example.no", orgs["a"], names[i])
        _, page = start_course(client)
        choose(client, page, pick)

    four = _point(_decisions(leader), "A pupil asks to talk.")
    assert "Too few answers to show" in four
    assert "<svg" not in four and "Listen" not in four

    fifth = person(app, "laerer4@example.no", orgs["a"], names[4])
    _, page = start_course(fifth)
    _, page = choose(fifth, page, "call-parents")
    choose(fifth, page, "wait-anyway")  # a second point, answered by one person only

    html = _decisions(leader)
    five = _point(html, "A pupil asks to talk.")
    assert "Too few answers to show" not in five
    assert "5 people answered." in five
    svg = re.search(r"<svg[^>]*>.*?</svg>", five, re.S).group(0)  # type: ignore[union-attr]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    cells = re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td>(\d+)</td>\s*<td>(\d+) %</td>', five)
    assert cells == [("Listen", "3", "60"), ("Call the parents", "2", "40")]
    assert "Too few answers to show" in _point(html, "You talk.")
    for name in [*names, "Rektor"]:
        assert name not in html  # the distribution names nobody

    nynorsk = _point(_decisions(leader, "nn"), "Ein elev ber om å få snakke.")
    assert "Lytt" in nynorsk and "Ring foreldra" in nynorsk
    assert "Too few" not in nynorsk


def add_staff(app: Flask, unit: int, count: int) -> None:
    """`count` people placed in `unit` straight in the database (who signs up is tested
    elsewhere; here it is the size of the table that matters)."""
    s = _session(app)
    s.add_all(
        User(email=f"staff{i:03d}@example.no", password_hash="x", display_name=f"Staff {i:03d}")
        for i in range(count)
    )
    s.flush()
    for user in s.scalars(select(User).where(User.email.like("staff%"))):
        s.add(Membership(user_id=user.id, organisation_id=unit, role="learner"))
    s.commit()
    s.close()


def test_the_person_table_has_pages_of_a_hundred_and_the_summary_counts_everyone(
    app: Flask, school: dict[str, object]
) -> None:
    orgs: dict[str, int] = school["orgs"]  # type: ignore[assignment]
    admin = person(app, "admin@example.no", orgs["top"], "Admin", "org_admin")
    add_staff(app, orgs["a"], 200)  # with the fixture's five (the admin has no course): 205
    url = f"/admin/reports?unit={orgs['top']}&lang=en"

    first = admin.get(url).get_data(as_text=True)
    assert len(table_rows(first)) == 100
    assert "Page 1 of 3." in first
    assert {"Berit Skolen", "Staff 094"} <= set(table_rows(first))
    assert "Staff 095" not in table_rows(first)
    # The summary is over all three pages: Kari and Berit passed, Ola in progress, the rest
    # (Per, the rector and the 200) not started.
    summary = first.split('id="summary-title"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td>', summary)
    assert cells == [
        ("Not started", "202"),
        ("In progress", "1"),
        ("Completed", "0"),
        ("Passed", "2"),
    ]
    assert "205 people have courses assigned here." in first
    assert "MAX(CASE WHEN s.verb_id = :passed THEN 1 ELSE 0 END)" in first  # its SQL shown

    # Plain links (no script): next, and last; the last page has the 5 left over.
    nav = first.split('class="pager"', 1)[1].split("</nav>", 1)[0]
    assert "Previous page" not in nav
    following = re.search(r'href="([^"]+)" rel="next"', nav).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = admin.get(following).get_data(as_text=True)
    assert "Page 2 of 3." in second and not set(table_rows(first)) & set(table_rows(second))
    last = admin.get(url + "&page=3").get_data(as_text=True)
    assert len(table_rows(last)) == 5
    assert 'rel="prev"' in last and 'rel="next"' not in last
    everyone = set(table_rows(first)) | set(table_rows(second)) | set(table_rows(last))
    assert len(everyone) == 205
    # A page past the end, or not a number: the last page, the first.
    assert "Page 3 of 3." in admin.get(url + "&page=99").get_data(as_text=True)
    assert "Page 1 of 3." in admin.get(url + "&page=x").get_data(as_text=True)

    # The download has everyone, still.
    got = admin.get(f"/admin/reports/export.csv?unit={orgs['top']}&lang=en")
    lines = list(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    got.close()
    assert len(lines) == 1 + 205
    assert {line[0] for line in lines[1:]} == everyone


def test_the_player_stores_each_answer_in_the_response_column(
    app: Flask, school: dict[str, object]
) -> None:
    s = _session(app)
    try:
        answered = s.execute(
            select(StoredStatement.response, StoredStatement.body).where(
                StoredStatement.verb_id == VERBS["answered"]
            )
        ).all()
        others = s.scalars(
            select(StoredStatement.response).where(StoredStatement.verb_id != VERBS["answered"])
        ).all()
    finally:
        s.close()
    # Kari and Berit answered three times, Ola once.
    assert sorted(r for r, _ in answered) == sorted(
        ["listen", "consult", "interpreter"] * 2 + ["call-parents"]
    )
    assert all(r == body["result"]["response"] for r, body in answered)
    assert set(others) == {None}
