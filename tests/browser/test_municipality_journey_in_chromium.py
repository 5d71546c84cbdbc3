"""The whole of a municipality's roll-out in one real Chromium, with the keyboard and axe: the org
admin adds a school, connects its Feide organisation, gives it a course with a due date and
invites a teacher and the school's leader by CSV (real mail on a loopback SMTP server); the
teacher logs in with Feide (a real OpenID provider on loopback) and is the invited person, not a
second one; finds the course "assigned to you, due …" first, plays it to passed, downloads the
certificate; a stranger checks it; the leader sees the teacher as passed (not their choices) and
downloads the CSV; the org admin revokes the certificate and the check says so."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from elearn.accounts.models import Membership, Organisation, User
from elearn.sso.models import SsoIdentity
from tests.browser.conftest import axe_violations
from tests.browser.test_player_in_chromium import focus_field, focus_text, focus_until, press_enter
from tests.conftest import (
    PASSWORD,
    PLAY_COURSE,
    LiveServer,
    import_course,
    make_admin,
    make_test_app,
)
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.test_password_reset import Inbox, _body, inbox  # noqa: F401  (the SMTP fixture)
from tests.test_sso import feide_user

Page = Any
ADMIN = "it@larvik.kommune.no"
TEACHER = "kari@larvik.kommune.no"  # the address Feide gives for Kari (tests/test_sso.py)
LEADER = "rektor@larvik.kommune.no"
REALM = "hedrum.larvik.kommune.no"
# The first choices are the ones a leader must never see: Kari's own answers.
CHOICES = ("Listen", "Consult the Expert Team", "Next scenario", "Book a qualified interpreter")


@pytest.fixture
def idp() -> Iterator[Provider]:
    with Provider() as provider:
        yield provider


@pytest.fixture
def journey_app(db: Engine, tmp_path: Path, idp: Provider, inbox: Inbox) -> Flask:  # noqa: F811
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_OIDC_FEIDE_ISSUER=idp.url,
        ELEARN_OIDC_FEIDE_CLIENT_ID=CLIENT_ID,
        ELEARN_OIDC_FEIDE_CLIENT_SECRET=CLIENT_SECRET,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=inbox.port,  # type: ignore[attr-defined]
        ELEARN_MAIL_FROM="kurs@larvik.example",
    )
    app.config["TESTING"] = False  # real error pages, as people see them
    import_course(app, PLAY_COURSE)
    make_admin(app, ADMIN, role="org_admin", org_slug="larvik")
    return app


@pytest.fixture
def server(journey_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(journey_app) as running:
        yield running


class Axe:
    """axe-core on each kind of page once (WCAG 2.1 A/AA); the names say what was checked."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def __call__(self, page: Page, kind: str) -> None:
        violations = axe_violations(page)
        assert violations == [], f"{kind}: {violations}"
        self.checked.append(kind)


def keyboard_login(page: Page, email: str) -> None:
    page.goto("/login?lang=en")
    focus_field(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_enter(page)


def type_into(page: Page, element_id: str, text: str) -> None:
    focus_field(page, element_id, limit=80)
    page.keyboard.type(text)


def test_invite_feide_login_assigned_course_certificate_report_and_revocation(
    browser: Any,
    server: LiveServer,
    idp: Provider,
    inbox: Inbox,  # noqa: F811
    journey_app: Flask,
) -> None:
    axe = Axe()
    admin = browser.new_context(base_url=server.url, bypass_csp=True).new_page()
    due = admin_sets_up_the_school(admin, axe)

    mails = {to[0]: _body(message) for to, message in inbox.wait_for(2)}
    assert set(mails) == {TEACHER, LEADER}
    assert re.search(r"https?://\S+/invitation/\S+", mails[TEACHER])  # Kari could use it, too

    idp.user = feide_user()  # Kari at the provider: same address, verified, realm of her school
    teacher_ctx = browser.new_context(base_url=server.url, bypass_csp=True, accept_downloads=True)
    url, choices_seen = teacher_learns(teacher_ctx.new_page(), axe, due)
    assert url.startswith(server.url + "/v/")
    one_person_in_the_school(journey_app)

    stranger = browser.new_context(bypass_csp=True).new_page()  # not logged in, anyone
    stranger.goto(url + "?lang=en")
    assert "Valid" in stranger.inner_text("#certificate-status")
    assert "Kari Nordmann" in stranger.inner_text("main")
    axe(stranger, "verification (valid)")

    leader_ctx = browser.new_context(base_url=server.url, bypass_csp=True, accept_downloads=True)
    link = re.search(r"https?://\S+/invitation/\S+", mails[LEADER]).group(0)  # type: ignore[union-attr]
    leader_reads_the_report(leader_ctx.new_page(), axe, link, choices_seen)

    admin.goto("/admin/users")  # Kari came through Feide, not the mail's link: she is here
    assert person_status(admin, TEACHER) == "Active"
    assert person_status(admin, LEADER) == "Active"

    admin.goto(url + "?lang=en")  # the certificate's own link, as Kari's PDF or QR gives it
    assert "Valid" in admin.inner_text("#certificate-status")
    focus_text(admin, "Revoke this certificate")
    press_enter(admin)
    assert "The certificate is revoked." in admin.inner_text("main")
    stranger.reload()
    status = stranger.inner_text("#certificate-status")
    assert "Revoked" in status and "no longer valid" in status
    axe(stranger, "verification (revoked)")

    assert len(set(axe.checked)) == len(axe.checked) == 15  # each page type once
    for context in (admin.context, teacher_ctx, stranger.context, leader_ctx):
        context.close()


def admin_sets_up_the_school(page: Page, axe: Axe) -> dt.date:
    """Unit, Feide realm, assignment with a due date, CSV invitation; returns the due date."""
    keyboard_login(page, ADMIN)
    page.goto("/admin/")
    axe(page, "admin home")
    focus_until(page, "a[href='/admin/organisations']")
    press_enter(page)
    type_into(page, "name", "Hedrum skole")
    page.select_option("#kind", "school")  # a native select, set as the keyboard would
    press_enter(page)
    assert "“Hedrum skole” has been created." in page.inner_text("main")
    axe(page, "organisations")

    page.goto("/admin/")
    focus_until(page, "a[href='/admin/feide']")
    press_enter(page)
    type_into(page, "realm", REALM)
    page.select_option("#target", label="Hedrum skole")
    focus_until(page, "button.button[type=submit]")
    press_enter(page)
    assert "The Feide organisation is connected." in page.inner_text("main")
    assert REALM in page.inner_text("table") and "Hedrum skole" in page.inner_text("table")
    axe(page, "Feide organisations")

    due = dt.date.today() + dt.timedelta(days=14)
    page.goto("/admin/assignments")
    page.select_option("#unit", label="Larvik › Hedrum skole")
    page.fill("#due_date", due.isoformat())
    focus_until(page, "button.button[type=submit]")
    press_enter(page)
    assert "The course has been assigned." in page.inner_text("main")
    axe(page, "assignments")

    page.goto("/admin/invitations")
    rows = [
        "name;email;unit;role",
        f"Kari Nordmann;{TEACHER};Hedrum skole;learner",
        f"Rita Rektor;{LEADER};Hedrum skole;unit_leader",
    ]
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "hedrum.csv",
                "mimeType": "text/csv",
                "buffer": ("\ufeff" + "\n".join(rows) + "\n").encode(),
            }
        ],
    )
    page.focus("#file")
    focus_until(page, "form[action$='/csv'] button")
    press_enter(page)
    assert "2 invited" in page.inner_text("main")
    assert person_status(page, TEACHER) == "Invited"
    axe(page, "people after a CSV invitation")
    return due


def person_status(page: Page, email: str) -> str:
    """The Status column of a person's row in the admin's table of people."""
    row = page.locator("tbody tr", has_text=email)
    return row.locator("td").last.inner_text().strip()


def teacher_learns(page: Page, axe: Axe, due: dt.date) -> tuple[str, tuple[str, ...]]:
    """Kari logs in with Feide, finds the assigned course, passes it, downloads her certificate;
    returns the verification URL printed in the PDF and the choices she made."""
    page.goto("/login?lang=en")
    axe(page, "login with Feide")
    focus_text(page, "Log in with Feide")
    press_enter(page)  # to the provider on loopback, which has signed Kari in, and back
    assert urlsplit(page.url).path == "/"  # back from the provider on the catalogue, signed in
    nav = page.inner_text("nav")
    assert "Log out" in nav and "Profile" in nav and "Administration" not in nav

    assert page.locator("main h2").all_inner_texts()[0] == "Assigned to you"
    card = page.locator("section[aria-labelledby=assigned-title] li").first.inner_text()
    assert "Test course" in card
    assert f"Assigned to you, due {due.day} {due.strftime('%B %Y')}" in card
    axe(page, "catalogue with an assigned course")

    focus_text(page, "Test course")
    press_enter(page)
    focus_text(page, "Start the course")
    press_enter(page)
    axe(page, "player")
    for choice in (*CHOICES, "See the course result"):
        focus_text(page, choice)
        press_enter(page)
    assert "Passed" in page.inner_text("main")
    axe(page, "result with certificate offer")

    focus_text(page, "Download the certificate")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = Path(download.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Kari Nordmann" in text and "Test course" in text and "Larvik" in text
    url = next(line for line in text.splitlines() if "/v/" in line).strip()

    page.goto("/profile")
    main = page.inner_text("main")
    assert "Your course certificates" in main and "Test course" in main
    # Invited, then in with Feide: no password was ever chosen, so none is asked for.
    assert "Yes, delete my account and everything about me" in main
    assert "Enter your password to confirm" not in main
    axe(page, "profile")
    return url, CHOICES


def one_person_in_the_school(app: Flask) -> None:
    """The invited account and the Feide identity are one person, a learner in Hedrum skole."""
    session = app.extensions["elearn"].session_factory()
    try:
        karis = list(session.scalars(select(User).where(User.email == TEACHER)))
        assert len(karis) == 1
        kari = karis[0]
        assert session.scalar(select(func.count()).select_from(User)) == 3  # admin, Kari, Rita
        links = list(session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == kari.id)))
        assert [link.provider for link in links] == ["feide"]
        units = session.execute(
            select(Organisation.name, Membership.role)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == kari.id)
        ).all()
        assert units == [("Hedrum skole", "learner")]
    finally:
        session.close()


def leader_reads_the_report(page: Page, axe: Axe, link: str, choices: tuple[str, ...]) -> None:
    """Rita follows her invitation, chooses a password and reads the school's report."""
    page.goto(link + "?lang=en")
    assert "Welcome, Rita Rektor." in page.inner_text("main")
    axe(page, "invitation")
    type_into(page, "password", PASSWORD)
    press_enter(page)
    assert "Welcome! Your password is saved" in page.inner_text("main")

    page.goto("/admin/")
    focus_until(page, "a[href='/admin/reports']")
    press_enter(page)
    assert page.inner_text("h1") == "Course reports"
    table = page.inner_text(".person-table")
    kari_row = next(r for r in table.splitlines() if "Kari Nordmann" in r)
    assert "Test course" in kari_row and "Passed" in kari_row
    main = page.inner_text("main")
    assert not [c for c in choices if c in main]  # what Kari chose stays hers
    axe(page, "report")

    focus_text(page, "Choices per decision point")
    press_enter(page)
    assert "Too few answers to show" in page.inner_text("main")  # one person is not five
    assert not [c for c in choices if c in page.inner_text("main")]
    axe(page, "choices per decision point")
    page.go_back()

    focus_text(page, "Download as CSV")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *people = list(csv.reader(io.StringIO(body)))
    assert header[:6] == ["Name", "Email address", "Unit", "Course", "Due date", "Status"]
    kari = next(r for r in people if r[0] == "Kari Nordmann")
    assert kari[1] == TEACHER and kari[2] == "Hedrum skole" and kari[5] == "Passed"
    assert not [c for c in choices if c in body]
