"""The organisation admin side through real HTTP and a real database: units, people, roles per
unit, invitations (list and CSV, all or nothing), join links, assignments, reminders through a
real SMTP server on loopback, and the audit log."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from elearn.accounts import service as accounts
from elearn.accounts.models import Assignment, AuditEntry, Membership, Organisation, User
from elearn.cli import elearn_cli
from elearn.organisations import service
from tests.conftest import (
    PASSWORD,
    PLAY_COURSE,
    csrf_from,
    import_course,
    login,
    make_admin,
    make_test_app,
    register,
)
from tests.test_password_reset import Inbox, _body, inbox  # noqa: F401  (the SMTP fixture)

EN = {"Accept-Language": "en"}


def _session(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["elearn"].session_factory()


def _world(app: Flask) -> dict[str, int]:
    """Two municipalities with a school each; an org admin of Bergen (through the CLI, as an
    operator makes one); a teacher in each school; a unit leader at Nordnes."""
    make_admin(app, "it@bergen.no", role="org_admin", org_slug="bergen")
    s = _session(app)
    try:
        bergen = accounts.find_organisation(s, "bergen")
        oslo = accounts.create_organisation(s, "oslo", "Oslo kommune")
        nordnes = service.create_unit(s, bergen, "Nordnes skole", "school", "974760673")
        frogner = service.create_unit(s, oslo, "Frogner skole", "school", None)
        ids = {"bergen": bergen.id, "oslo": oslo.id, "nordnes": nordnes.id, "frogner": frogner.id}
        for email, unit, role in (
            ("kari@bergen.no", nordnes, "learner"),
            ("ola@oslo.no", frogner, "learner"),
            ("rektor@bergen.no", nordnes, "unit_leader"),
        ):
            user = accounts.create_user(s, email, PASSWORD, "teacher", "en")
            user.display_name = email.split("@")[0].title()
            accounts.add_membership(s, user, unit, role)
            ids[email] = user.id
        s.commit()
        return ids
    finally:
        s.close()


def _post(client: FlaskClient, path: str, data: dict[str, object], page: str = "/admin/") -> object:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, headers=EN)


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    return _world(app)


@pytest.fixture
def admin(app: Flask, world: dict[str, int]) -> FlaskClient:
    client = app.test_client()
    login(client, "it@bergen.no")
    return client


def test_org_numbers_are_checked_with_modulus_11() -> None:
    assert service.valid_org_number("974760673")  # Brønnøysundregistrene
    assert not service.valid_org_number("974760674")
    assert not service.valid_org_number("97476067")
    assert not service.valid_org_number("97476067a")


def test_an_org_admin_sees_the_tree_and_adds_a_unit(admin: FlaskClient, world: dict) -> None:
    page = admin.get("/admin/organisations", headers=EN).get_data(as_text=True)
    assert "Nordnes skole" in page and "974760673" in page
    assert "Frogner skole" not in page and "Oslo kommune" not in page
    response = _post(
        admin,
        "/admin/organisations",
        {"parent": world["bergen"], "name": "Årstad helsestasjon", "kind": "health_station",
         "org_number": "974 760 673"},
    )  # fmt: skip
    assert response.status_code == 303
    page = admin.get("/admin/organisations", headers=EN).get_data(as_text=True)
    assert "Årstad helsestasjon" in page and "Health station" in page


def test_a_wrong_org_number_or_a_foreign_parent_is_refused_with_the_reason(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    response = _post(
        admin,
        "/admin/organisations",
        {"parent": world["oslo"], "name": "Sneaky", "kind": "school", "org_number": "974760674"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Something needs fixing" in page and "check digit" in page
    assert "Choose one of your units" in page
    assert 'value="Sneaky"' in page  # what was typed is kept
    s = _session(app)
    assert s.scalar(select(func.count()).where(Organisation.name == "Sneaky")) == 0
    s.close()


def test_rename_a_unit(admin: FlaskClient, world: dict) -> None:
    _post(admin, f"/admin/organisations/{world['nordnes']}/rename", {"name": "Nordnes barneskole"})
    assert "Nordnes barneskole" in admin.get("/admin/organisations").get_data(as_text=True)
    response = _post(admin, f"/admin/organisations/{world['frogner']}/rename", {"name": "X"})
    assert response.status_code == 404  # another municipality's unit


def test_an_org_admin_never_sees_another_municipalitys_people(
    admin: FlaskClient, world: dict
) -> None:
    page = admin.get("/admin/users", headers=EN).get_data(as_text=True)
    assert "kari@bergen.no" in page and "rektor@bergen.no" in page
    assert "ola@oslo.no" not in page
    oslo = world["ola@oslo.no"]
    assert admin.get(f"/admin/users/{oslo}").status_code == 404
    assert _post(admin, f"/admin/users/{oslo}/active", {"active": "0"}).status_code == 404
    assert _post(admin, f"/admin/users/{oslo}/remove", {}).status_code == 404
    # Filtering by the other municipality's unit shows nobody from there either.
    page = admin.get(f"/admin/users?unit={world['frogner']}").get_data(as_text=True)
    assert "ola@oslo.no" not in page
    assert admin.get("/admin/learners").headers["Location"].endswith("/admin/users")


def test_filter_people_by_unit(app: Flask, admin: FlaskClient, world: dict) -> None:
    s = _session(app)
    other = service.create_unit(
        s, s.get(Organisation, world["bergen"]), "Laksevåg skole", "school", None
    )
    user = accounts.create_user(s, "per@bergen.no", PASSWORD)
    accounts.add_membership(s, user, other)
    s.commit()
    other_id = other.id
    s.close()
    page = admin.get(f"/admin/users?unit={other_id}").get_data(as_text=True)
    assert "per@bergen.no" in page and "kari@bergen.no" not in page


def test_learners_and_unit_leaders_are_kept_out_of_the_people_pages(
    app: Flask, world: dict
) -> None:
    for email, assignments in (("kari@bergen.no", 403), ("rektor@bergen.no", 200)):
        client = app.test_client()
        login(client, email)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/organisations").status_code == 403
        assert client.get("/admin/invitations").status_code == 403
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/assignments").status_code == assignments
    leader = app.test_client()
    login(leader, "rektor@bergen.no")
    assert "Assigned courses" in leader.get("/admin/", headers=EN).get_data(as_text=True)


def test_deactivated_people_cannot_log_in_and_lose_their_sessions(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    kari = app.test_client()
    login(kari, "kari@bergen.no")
    assert kari.get("/profile").status_code == 200
    response = _post(admin, f"/admin/users/{world['kari@bergen.no']}/active", {"active": "0"})
    assert response.status_code == 303
    assert kari.get("/profile").status_code == 302  # the open session is gone
    page = kari.get("/login").get_data(as_text=True)
    response = kari.post(
        "/login",
        data={"csrf_token": csrf_from(page), "email": "kari@bergen.no", "password": PASSWORD},
        headers=EN,
    )
    assert response.status_code == 401
    assert "has been deactivated" in response.get_data(as_text=True)
    # A wrong password still says only that: nothing about the account.
    response = kari.post(
        "/login",
        data={"csrf_token": csrf_from(page), "email": "kari@bergen.no", "password": "wrong one!"},
        headers=EN,
    )
    assert "deactivated" not in response.get_data(as_text=True)
    _post(admin, f"/admin/users/{world['kari@bergen.no']}/active", {"active": "1"})
    login(kari, "kari@bergen.no")


def test_remove_really_deletes(app: Flask, admin: FlaskClient, world: dict) -> None:
    from elearn.accounts.models import HostLink, ReminderSent
    from elearn.sso.models import SsoIdentity

    kari_id = world["kari@bergen.no"]
    _post(admin, f"/admin/users/{kari_id}/active", {"active": "0"})  # an entry naming her
    s = _session(app)
    assignment = Assignment(course_id="play-course", user_id=kari_id)
    s.add(assignment)
    s.flush()
    s.add(ReminderSent(assignment_id=assignment.id, user_id=kari_id, days_before=7))
    s.add(SsoIdentity(provider="feide", subject_hash="0" * 64, user_id=kari_id))
    s.add(HostLink(host_id="host-kari", user_id=kari_id))
    s.commit()
    s.close()
    response = _post(admin, f"/admin/users/{kari_id}/remove", {})
    assert response.status_code == 303
    s = _session(app)
    assert accounts.find_user(s, "kari@bergen.no") is None
    entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "user.remove"))
    assert entry is not None and entry.actor_id is not None  # who removed someone is kept
    # ... but nothing of the person removed: no e-mail, no name, no id left in any entry.
    for row in s.scalars(select(AuditEntry)):
        assert "kari" not in (row.detail or "").lower()
        assert row.subject_user_id != world["kari@bergen.no"]
        assert row.actor_id != world["kari@bergen.no"]
    for model in (Membership, Assignment, ReminderSent, SsoIdentity, HostLink):
        column = model.user_id
        assert s.scalar(select(func.count()).select_from(model).where(column == kari_id)) == 0
    s.close()


def test_an_admin_cannot_remove_themselves_or_someone_of_another_organisation_too(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    s = _session(app)
    me = accounts.find_user(s, "it@bergen.no")
    assert _post(admin, f"/admin/users/{me.id}/remove", {}).status_code == 403
    kari = s.get(User, world["kari@bergen.no"])
    accounts.add_membership(s, kari, s.get(Organisation, world["frogner"]))
    s.commit()
    s.close()
    page = admin.get(f"/admin/users/{world['kari@bergen.no']}", headers=EN).get_data(as_text=True)
    assert "also belongs to another organisation" in page
    assert _post(admin, f"/admin/users/{world['kari@bergen.no']}/remove", {}).status_code == 403


def _memberships(app: Flask, user_id: int) -> set[tuple[int, str]]:
    s = _session(app)
    try:
        rows = s.scalars(select(Membership).where(Membership.user_id == user_id))
        return {(m.organisation_id, m.role) for m in rows}
    finally:
        s.close()


def test_move_add_a_second_unit_and_change_the_role(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    kari = world["kari@bergen.no"]
    s = _session(app)
    other = service.create_unit(
        s, s.get(Organisation, world["bergen"]), "Laksevåg skole", "school", None
    )
    s.commit()
    other_id = other.id
    mid = s.scalar(select(Membership.id).where(Membership.user_id == kari))
    s.close()
    # Move Kari from Nordnes to Laksevåg, as unit leader.
    _post(
        admin, f"/admin/users/{kari}/memberships/{mid}", {"unit": other_id, "role": "unit_leader"}
    )
    assert _memberships(app, kari) == {(other_id, "unit_leader")}
    # Add her to Nordnes again, as a learner: two units.
    _post(admin, f"/admin/users/{kari}/memberships", {"unit": world["nordnes"], "role": "learner"})
    assert _memberships(app, kari) == {(other_id, "unit_leader"), (world["nordnes"], "learner")}
    page = admin.get(f"/admin/users?unit={world['nordnes']}", headers=EN).get_data(as_text=True)
    assert "Laksevåg skole: Unit leader" in page and "Nordnes skole: Learner" in page
    # Not into another municipality's unit.
    response = _post(
        admin, f"/admin/users/{kari}/memberships", {"unit": world["frogner"], "role": "learner"}
    )
    assert response.status_code == 400
    assert "Choose a unit in your own organisation" in response.get_data(as_text=True)
    # An org admin role makes her an org admin; taking it away makes her a learner again.
    _post(admin, f"/admin/users/{kari}/memberships", {"unit": world["bergen"], "role": "org_admin"})
    s = _session(app)
    assert s.get(User, kari).role == "org_admin"
    mid = s.scalar(
        select(Membership.id).where(Membership.user_id == kari, Membership.role == "org_admin")
    )
    s.close()
    _post(admin, f"/admin/users/{kari}/memberships/{mid}/remove", {})
    s = _session(app)
    assert s.get(User, kari).role == "learner"
    s.close()


def test_roles_come_from_memberships(app: Flask, world: dict) -> None:
    s = _session(app)
    try:
        leader = s.get(User, world["rektor@bergen.no"])
        admin_ = accounts.find_user(s, "it@bergen.no")
        learner = s.get(User, world["kari@bergen.no"])
        assert leader.has_role("unit_leader") and not leader.has_role("org_admin")
        assert [o.name for o in accounts.units_led_by(s, leader)] == ["Nordnes skole"]
        assert admin_.has_role("org_admin") and not admin_.has_role("unit_leader")
        administered = {o.name for o in accounts.organisations_administered_by(s, admin_)}
        assert administered == {"Bergen", "Nordnes skole"}  # the unit under it too
        assert not learner.has_role("unit_leader", "org_admin")
        visible = {u.email for u in s.scalars(service.people_visible_to(s, leader))}
        assert visible == {"kari@bergen.no", "rektor@bergen.no"}
    finally:
        s.close()


# -- invitations -------------------------------------------------------------------------------


@pytest.fixture
def mail_app(db: Engine, tmp_path: Path, inbox: Inbox) -> Flask:  # noqa: F811
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=inbox.port,  # type: ignore[attr-defined]
        ELEARN_MAIL_FROM="kurs@bergen.example",
        ELEARN_BASE_URL="http://localhost",
    )
    import_course(app, PLAY_COURSE)
    return app


def _upload(client: FlaskClient, data: bytes, name: str = "staff.csv") -> object:
    token = csrf_from(client.get("/admin/invitations").get_data(as_text=True))
    return client.post(
        "/admin/invitations/csv",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def _count_users(app: Flask) -> int:
    s = _session(app)
    try:
        return s.scalar(select(func.count()).select_from(User))
    finally:
        s.close()


def test_a_csv_with_any_wrong_line_imports_nothing_and_lists_every_error(
    mail_app: Flask,
    inbox: Inbox,  # noqa: F811
) -> None:
    _world(mail_app)
    admin = mail_app.test_client()
    login(admin, "it@bergen.no")
    before = _count_users(mail_app)
    csv_text = (
        "name,email,unit,role\n"
        "Nina Lærer,nina@bergen.no,Nordnes skole,learner\n"
        "Bad Mail,not-an-address,Nordnes skole,learner\n"
        "Wrong Unit,wu@bergen.no,Frogner skole,learner\n"
        "Wrong Role,wr@bergen.no,Nordnes skole,boss\n"
        "Short,short@bergen.no\n"
        "Twice,nina@bergen.no,Nordnes skole,learner\n"
    )
    response = _upload(admin, csv_text.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nobody has been invited" in page
    assert "Line 3:" in page and "“not-an-address” is not a valid e-mail address" in page
    assert "Line 4:" in page and "“Frogner skole” is not one of your units" in page
    assert "Line 5:" in page and "“boss” is not a role" in page
    assert "Line 6:" in page and "has 2 fields" in page
    assert "Line 7:" in page and "nina@bergen.no is in the list twice" in page
    assert "Line 2:" not in page
    assert _count_users(mail_app) == before  # nothing half-imported
    assert inbox.messages == []
    for bad, message in (
        (b"email,name\nx@y.no,X\n", "must name the columns"),
        ("name,email,unit,role\nÆ,a@b.no,Nordnes skole,learner\n".encode("latin-1"), "not UTF-8"),
        (b"name,email,unit,role\n" + b"x" * 300_000, "too large"),
        (b"name,email,unit,role\n" + b"x" * 400_000, "too large"),
    ):
        page = _upload(admin, bad).get_data(as_text=True)
        assert message in page, message
    page = _upload(admin, b"").get_data(as_text=True)
    assert "must name the columns" in page or "Choose a CSV file" in page


def test_csv_invitation_mail_link_password_and_the_assigned_course(
    mail_app: Flask,
    inbox: Inbox,  # noqa: F811
) -> None:
    """The whole path: BOM and semicolons (Norwegian Excel), the mail through SMTP, the link,
    a password, logged in, the unit's assigned course first in the catalogue."""
    world = _world(mail_app)
    admin = mail_app.test_client()
    login(admin, "it@bergen.no")
    due = dt.date.today() + dt.timedelta(days=20)
    _post(admin, "/admin/assignments",
          {"course": "play-course", "target": "unit", "unit": world["nordnes"], "due_date": due.isoformat()})  # fmt: skip
    csv_bytes = "\ufeffname;email;unit;role\nNina Lærer;Nina@Bergen.no;Nordnes skole;learner\n"
    response = _upload(admin, csv_bytes.encode("utf-8"))
    assert response.status_code == 303, response.get_data(as_text=True)
    (to, message), *_ = inbox.wait_for(1)
    assert to == ["nina@bergen.no"]
    body = _body(message)
    assert "Nordnes skole" in body
    link = re.search(r"http://localhost(/invitation/\S+)", body).group(1)
    nina = mail_app.test_client()
    page = nina.get(link, headers=EN)
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    short = nina.post(link, data={"csrf_token": token, "password": "short"}, headers=EN)
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    done = nina.post(link, data={"csrf_token": token, "password": PASSWORD}, headers=EN)
    assert done.status_code == 302
    catalogue = nina.get("/", headers=EN).get_data(as_text=True)
    assert "Welcome!" in catalogue
    assigned = catalogue.index("Assigned to you")
    assert assigned < catalogue.index("Test course")
    assert f"Assigned to you, due {due.day} {due.strftime('%B %Y')}" in catalogue
    # The link is spent; her name came from the file.
    assert mail_app.test_client().get(link).status_code == 400
    s = _session(mail_app)
    assert accounts.find_user(s, "nina@bergen.no").display_name == "Nina Lærer"
    s.close()


def test_an_email_list_invites_new_people_and_tells_existing_ones(
    mail_app: Flask,
    inbox: Inbox,  # noqa: F811
) -> None:
    world = _world(mail_app)
    admin = mail_app.test_client()
    login(admin, "it@bergen.no")
    response = _post(admin, "/admin/invitations/list",
                     {"emails": "ny@bergen.no\n\nola@oslo.no\n", "unit": world["nordnes"], "role": "learner"})  # fmt: skip
    assert response.status_code == 303
    messages = inbox.wait_for(2)
    subjects = {to[0]: m["Subject"] for to, m in messages}
    assert "invited" in subjects["ny@bergen.no"]
    assert "added to Nordnes skole" in subjects["ola@oslo.no"]  # already had an account
    bad = _post(admin, "/admin/invitations/list",
                {"emails": "ok@bergen.no\nnot an address", "unit": world["nordnes"], "role": "learner"})  # fmt: skip
    assert bad.status_code == 400 and "Line 2:" in bad.get_data(as_text=True)
    s = _session(mail_app)
    assert accounts.find_user(s, "ok@bergen.no") is None
    s.close()


# -- join links --------------------------------------------------------------------------------


def test_a_join_link_makes_whoever_logs_in_a_learner_until_it_is_stopped(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    response = _post(admin, f"/admin/organisations/{world['nordnes']}/join-link", {"action": "new"})
    link = re.search(r"http://localhost(/join/[^<\s]+)", response.get_data(as_text=True)).group(1)
    ola = app.test_client()
    page = ola.get(link, headers=EN).get_data(as_text=True)
    assert "Join Nordnes skole" in page
    login(ola, "ola@oslo.no")
    assert (world["nordnes"], "learner") in _memberships(app, world["ola@oslo.no"])
    # A leader who opens it keeps their role.
    leader = app.test_client()
    login(leader, "rektor@bergen.no")
    _post(leader, link, {}, page=link)
    assert (world["nordnes"], "unit_leader") in _memberships(app, world["rektor@bergen.no"])
    _post(admin, f"/admin/organisations/{world['nordnes']}/join-link", {"action": "revoke"})
    assert app.test_client().get(link).status_code == 404


# -- assignments and reminders -----------------------------------------------------------------


def test_assignments_by_a_leader_to_people_and_overdue_marked(app: Flask, world: dict) -> None:
    leader = app.test_client()
    login(leader, "rektor@bergen.no")
    page = leader.get("/admin/assignments").get_data(as_text=True)
    assert "Kari" in page and "Ola" not in page  # only their own unit's people
    bad = _post(leader, "/admin/assignments", {"course": "play-course", "target": "people",
                                               "people": [str(world["ola@oslo.no"])]})  # fmt: skip
    assert bad.status_code == 400 and "Choose at least one person" in bad.get_data(as_text=True)
    past = _post(leader, "/admin/assignments", {"course": "play-course", "target": "people",
                 "people": [str(world["kari@bergen.no"])], "due_date": "2020-01-01"})  # fmt: skip
    assert past.status_code == 400 and "cannot be in the past" in past.get_data(as_text=True)
    ok = _post(leader, "/admin/assignments", {"course": "play-course", "target": "people",
               "people": [str(world["kari@bergen.no"])], "due_date": dt.date.today().isoformat()})  # fmt: skip
    assert ok.status_code == 303
    # Make it overdue (as time passes), then Kari sees it said in words.
    s = _session(app)
    row = s.scalar(select(Assignment))
    row.due_date = dt.date(2026, 1, 5)
    s.commit()
    s.close()
    kari = app.test_client()
    login(kari, "kari@bergen.no")
    page = kari.get("/", headers=EN).get_data(as_text=True)
    assert "Overdue: it was due 5 January 2026" in page
    ola = app.test_client()
    login(ola, "ola@oslo.no")
    assert "Assigned to you" not in ola.get("/", headers=EN).get_data(as_text=True)
    # Ola's org cannot delete it; the leader can.
    s = _session(app)
    aid = s.scalar(select(Assignment.id))
    s.close()
    assert _post(ola, f"/admin/assignments/{aid}/delete", {}).status_code == 403
    assert _post(leader, f"/admin/assignments/{aid}/delete", {}).status_code == 303
    assert "Assigned to you" not in kari.get("/", headers=EN).get_data(as_text=True)


def test_reminders_go_once_per_window_through_smtp(
    mail_app: Flask,
    inbox: Inbox,  # noqa: F811
) -> None:
    world = _world(mail_app)
    s = _session(mail_app)
    due = dt.date(2027, 3, 10)
    s.add(Assignment(course_id="play-course", organisation_id=world["nordnes"], due_date=due))
    s.commit()
    s.close()
    runner = mail_app.test_cli_runner()

    def remind(day: str) -> str:
        result = runner.invoke(elearn_cli, ["remind", "--today", day])
        assert result.exit_code == 0, result.output
        return result.output

    assert "Reminders sent: 0." in remind("2027-03-01")  # 9 days before: no window yet
    assert "Reminders sent: 2." in remind("2027-03-05")  # Kari and the leader, 5 days before
    messages = inbox.wait_for(2)
    assert {to[0] for to, _ in messages} == {"kari@bergen.no", "rektor@bergen.no"}
    _to, message = messages[0]
    body = _body(message)
    assert (
        "Test course" in body
        and "10 March 2027" in body
        and "http://localhost/c/play-course" in body
    )
    # Laid out like every other mail: paragraphs split by a blank line, the link on its own.
    assert "\n\nhttp://localhost/c/play-course" in body.replace("\r\n", "\n")
    assert body.replace("\r\n", "\n").rstrip(" \n").count("\n\n") == 2
    assert "Reminders sent: 0." in remind("2027-03-05")  # again the same day: nothing
    assert "Reminders sent: 0." in remind("2027-03-07")
    assert "Reminders sent: 2." in remind("2027-03-09")  # the 1-day window
    assert "Reminders sent: 0." in remind("2027-03-09")
    assert "Reminders sent: 0." in remind("2027-03-11")  # past the date
    assert len(inbox.messages) == 4


def test_a_first_run_late_sends_one_reminder_not_two(app: Flask, world: dict) -> None:
    s = _session(app)
    s.add(Assignment(course_id="play-course", user_id=world["kari@bergen.no"], due_date=dt.date(2027, 3, 10)))  # fmt: skip
    s.commit()
    reminders = service.due_reminders(s, dt.date(2027, 3, 9))
    assert [(r.user.email, r.windows) for r in reminders] == [("kari@bergen.no", (7, 1))]
    service.mark_sent(s, reminders[0])
    s.commit()
    assert service.due_reminders(s, dt.date(2027, 3, 9)) == []
    s.close()


# -- the audit log -----------------------------------------------------------------------------


def test_the_platform_admin_reads_the_audit_log(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    _post(admin, f"/admin/users/{world['kari@bergen.no']}/active", {"active": "0"})
    make_admin(app, "root@elearn.no")
    root = app.test_client()
    login(root, "root@elearn.no")
    page = root.get("/admin/audit", headers=EN).get_data(as_text=True)
    assert "user.deactivate" in page and "it@bergen.no" in page and "kari@bergen.no" in page
    assert "Audit log" in root.get("/admin/", headers=EN).get_data(as_text=True)
    assert admin.get("/admin/audit").status_code == 403
    # The platform admin sees every organisation.
    page = root.get("/admin/organisations").get_data(as_text=True)
    assert "Frogner skole" in page and "Nordnes skole" in page


def test_a_join_link_opened_before_registering_takes_effect_at_registration(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    response = _post(admin, f"/admin/organisations/{world['nordnes']}/join-link", {"action": "new"})
    link = re.search(r"http://localhost(/join/[^<\s]+)", response.get_data(as_text=True)).group(1)
    newcomer = app.test_client()
    assert newcomer.get(link, headers=EN).status_code == 200
    register(newcomer, "ny@bergen.no")  # no mail configured: the account at once
    s = _session(app)
    user = accounts.find_user(s, "ny@bergen.no")
    assert [(m.organisation_id, m.role) for m in accounts.memberships_of(s, user)] == [
        (world["nordnes"], "learner")
    ]
    s.close()
    # Said in the language the registration was made in (the default, bokmål).
    assert "Du er nå med i Nordnes skole." in newcomer.get("/").get_data(as_text=True)


def test_the_catalogue_says_assigned_in_the_learners_language(app: Flask, world: dict) -> None:
    s = _session(app)
    s.add(Assignment(course_id="play-course", organisation_id=world["bergen"], due_date=dt.date(2027, 12, 3)))  # fmt: skip
    s.commit()
    s.close()
    kari = app.test_client()
    login(kari, "kari@bergen.no")  # in Nordnes, under Bergen: the municipality's course is hers
    assert "Tildelt deg, frist 3. desember 2027" in kari.get("/?lang=nb").get_data(as_text=True)
    assert "Tildelt deg, frist 3. desember 2027" in kari.get("/?lang=nn").get_data(as_text=True)


def test_a_reminder_that_could_not_be_sent_is_tried_again(
    db: Engine,
    tmp_path: Path,
    inbox: Inbox,  # noqa: F811
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    down = make_test_app(db, tmp_path, ELEARN_SMTP_HOST="127.0.0.1", ELEARN_SMTP_PORT=dead_port,
                         ELEARN_SMTP_TIMEOUT=5)  # fmt: skip
    import_course(down, PLAY_COURSE)
    world = _world(down)
    s = _session(down)
    s.add(Assignment(course_id="play-course", user_id=world["kari@bergen.no"], due_date=dt.date(2027, 3, 10)))  # fmt: skip
    s.commit()
    s.close()
    result = down.test_cli_runner().invoke(elearn_cli, ["remind", "--today", "2027-03-08"])
    assert result.exit_code == 1 and "Could not send to kari@bergen.no" in result.output
    up = make_test_app(db, tmp_path, ELEARN_SMTP_HOST="127.0.0.1", ELEARN_SMTP_PORT=inbox.port)  # type: ignore[attr-defined]
    result = up.test_cli_runner().invoke(elearn_cli, ["remind", "--today", "2027-03-08"])
    assert "Reminders sent: 1." in result.output
    assert [to for to, _ in inbox.wait_for(1)] == [["kari@bergen.no"]]


def test_assignments_stay_inside_the_organisation(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    make_admin(app, "it@oslo.no", role="org_admin", org_slug="oslo")
    oslo = app.test_client()
    login(oslo, "it@oslo.no")
    foreign = _post(oslo, "/admin/assignments",
                    {"course": "play-course", "target": "unit", "unit": world["nordnes"]})  # fmt: skip
    assert foreign.status_code == 400 and "Choose one of your units" in foreign.get_data(
        as_text=True
    )
    assert _post(admin, "/admin/assignments",
                 {"course": "play-course", "target": "unit", "unit": world["nordnes"]}).status_code == 303  # fmt: skip
    s = _session(app)
    aid = s.scalar(select(Assignment.id))
    s.close()
    assert "Nordnes skole" not in oslo.get("/admin/assignments").get_data(as_text=True)
    assert _post(oslo, f"/admin/assignments/{aid}/delete", {}).status_code == 404
    assert "Nordnes skole" in admin.get("/admin/assignments").get_data(as_text=True)
    # Oslo's admin sees Oslo's people only.
    page = oslo.get("/admin/users").get_data(as_text=True)
    assert "ola@oslo.no" in page and "kari@bergen.no" not in page


def test_an_org_admin_who_joins_another_municipality_by_its_link_gets_none_of_its_lrs_clients(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    """A join link is shared widely; opening it makes you a learner there, and nothing more:
    the LRS clients page (scoped by `User.organisation_id`) stays on your own organisation."""
    s = _session(app)
    oslo_admin = accounts.create_user(s, "it@oslo.no", PASSWORD, "teacher", "en")
    accounts.add_membership(s, oslo_admin, s.get(Organisation, world["oslo"]), "org_admin")
    s.commit()
    oslo_admin_id = oslo_admin.id
    s.close()
    lrs_page = admin.get("/admin/lrs-clients").get_data(as_text=True)
    made = admin.post(
        "/admin/lrs-clients",
        data={"csrf_token": csrf_from(lrs_page), "name": "Bergen BI", "scope": ["statements/read"]},
    )
    assert made.status_code == 200 and "Bergen BI" in made.get_data(as_text=True)
    response = _post(admin, f"/admin/organisations/{world['nordnes']}/join-link", {"action": "new"})
    link = re.search(r"http://localhost(/join/[^<\s]+)", response.get_data(as_text=True)).group(1)

    oslo = app.test_client()
    login(oslo, "it@oslo.no")
    assert _post(oslo, link, {}, page=link).status_code == 303
    assert (world["nordnes"], "learner") in _memberships(app, oslo_admin_id)
    assert "Bergen BI" not in oslo.get("/admin/lrs-clients").get_data(as_text=True)
    s = _session(app)
    assert s.get(User, oslo_admin_id).organisation_id == world["oslo"]
    s.close()


def test_a_join_link_is_stored_only_as_a_hash_and_a_new_one_ends_the_old(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    """The link shown once is the only copy: the table holds its SHA-256 (through the one
    `tokens.new_secret` every secret link is made with)."""
    from elearn.accounts.models import JoinLink
    from elearn.accounts.tokens import token_hash

    def new_link() -> str:
        response = _post(
            admin, f"/admin/organisations/{world['nordnes']}/join-link", {"action": "new"}
        )
        return re.search(r"http://localhost/join/([^<\s\"]+)", response.get_data(as_text=True))[1]

    first, second = new_link(), new_link()
    assert len(first) >= 32 and first != second
    s = _session(app)
    stored = {link.token_hash: link.revoked_at for link in s.scalars(select(JoinLink))}
    s.close()
    assert first not in str(stored) and second not in str(stored)
    assert stored[token_hash(first)] is not None and stored[token_hash(second)] is None
    assert app.test_client().get(f"/join/{first}").status_code == 404
    assert app.test_client().get(f"/join/{second}", headers=EN).status_code == 200
    assert app.test_client().get("/join/" + "x" * 101).status_code == 404


def test_an_admin_neither_sees_nor_deletes_what_another_municipality_assigned_a_shared_person(
    app: Flask, admin: FlaskClient, world: dict
) -> None:
    """Kari works in Bergen and in Oslo. What Oslo's admin assigns her is Oslo's business:
    Bergen's admin may see Kari, but not that assignment, and cannot delete it."""
    s = _session(app)
    kari = s.get(User, world["kari@bergen.no"])
    accounts.add_membership(s, kari, s.get(Organisation, world["frogner"]))
    oslo_admin = accounts.create_user(s, "it@oslo.no", PASSWORD, "teacher", "en")
    accounts.add_membership(s, oslo_admin, s.get(Organisation, world["oslo"]), "org_admin")
    s.commit()
    s.close()
    oslo = app.test_client()
    login(oslo, "it@oslo.no")
    made = _post(oslo, "/admin/assignments", {"course": "play-course", "target": "people",
                 "people": [str(world["kari@bergen.no"])]})  # fmt: skip
    assert made.status_code == 303
    s = _session(app)
    aid = s.scalar(select(Assignment.id))
    s.close()
    assert f"/admin/assignments/{aid}/delete" in oslo.get("/admin/assignments").get_data(
        as_text=True
    )
    page = admin.get("/admin/assignments", headers=EN).get_data(as_text=True)
    assert "Kari" in page and f"/admin/assignments/{aid}/delete" not in page
    assert _post(admin, f"/admin/assignments/{aid}/delete", {}).status_code == 404
    # Bergen's own assignment to her is Bergen's to see and delete.
    ours = _post(admin, "/admin/assignments", {"course": "play-course", "target": "people",
                 "people": [str(world["kari@bergen.no"])]})  # fmt: skip
    assert ours.status_code == 303
    s = _session(app)
    assert s.scalar(select(func.count()).select_from(Assignment)) == 2
    mine = s.scalar(select(Assignment.id).where(Assignment.id != aid))
    s.close()
    assert _post(admin, f"/admin/assignments/{mine}/delete", {}).status_code == 303


def test_a_unit_name_with_line_breaks_is_kept_on_one_line_and_its_mails_still_go(
    mail_app: Flask,
    inbox: Inbox,  # noqa: F811
) -> None:
    """A name pasted with a line break (or a stray control character) would end up in a mail's
    Subject, where the mail library refuses it after the invitation was saved: a 500 and no
    mail. The name is made one line when it is typed."""
    world = _world(mail_app)
    admin = mail_app.test_client()
    login(admin, "it@bergen.no")
    response = _post(
        admin,
        "/admin/organisations",
        {"parent": world["bergen"], "name": "Årstad\r\nhelse\x00stasjon\tvest", "kind": "other"},
    )
    assert response.status_code == 303
    s = _session(mail_app)
    unit = s.scalar(select(Organisation).where(Organisation.name.like("Årstad%")))
    assert unit.name == "Årstad helsestasjon vest"
    unit_id = unit.id
    s.close()
    _post(admin, f"/admin/organisations/{unit_id}/rename", {"name": "Årstad\nhelsestasjon"})
    page = admin.get("/admin/organisations", headers=EN).get_data(as_text=True)
    assert "Årstad helsestasjon<" in page or "Årstad helsestasjon " in page
    response = _post(
        admin,
        "/admin/invitations/list",
        {"emails": "kari@bergen.no", "unit": str(unit_id), "role": "learner"},
        page="/admin/invitations",
    )
    assert response.status_code == 303
    (_to, message), *_ = inbox.wait_for(1)
    from email.header import decode_header, make_header

    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "You have been added to Årstad helsestasjon"
