"""An organisation admin in a real Chromium, with the keyboard: logs in, adds a unit, gives it a
course with a due date, invites staff by CSV; the invitee follows the mail (a real SMTP server
on loopback), chooses a password and finds the course first in the catalogue. Every page is
checked with axe-core at 375 px and 1280 px, and nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.browser.conftest import axe_violations
from tests.browser.test_player_in_chromium import focus_field, focus_until, press_enter
from tests.conftest import (
    PASSWORD,
    PLAY_COURSE,
    ROOT,
    LiveServer,
    import_course,
    make_admin,
    make_test_app,
)
from tests.test_password_reset import Inbox, _body, inbox  # noqa: F401  (the SMTP fixture)

Page = Any
SHOTS = ROOT / "build" / "screenshots"
KEEP_SHOTS = os.environ.get("ELEARN_SCREENSHOTS", "") not in ("", "0")  # `make screenshots`


@pytest.fixture
def live_app(db: Engine, tmp_path: Path, inbox: Inbox) -> Flask:  # noqa: F811
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=inbox.port,  # type: ignore[attr-defined]
        ELEARN_MAIL_FROM="kurs@bergen.example",
    )
    app.config["TESTING"] = False
    import_course(app, PLAY_COURSE)
    make_admin(app, "it@bergen.no", role="org_admin", org_slug="bergen")
    return app


@pytest.fixture
def server(live_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(live_app) as running:
        yield running


def check(page: Page, name: str) -> None:
    """axe-core finds nothing, and nothing scrolls sideways, on a phone and a laptop."""
    for width, height in ((375, 667), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], f"{name} at {width}px"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width}px"
        if KEEP_SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / f"org-{name.replace(' ', '-')}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)


def type_into(page: Page, element_id: str, text: str) -> None:
    focus_field(page, element_id, limit=80)
    page.keyboard.type(text)


def test_org_admin_invites_by_csv_and_the_invitee_finds_the_assigned_course(
    browser: Any,
    server: LiveServer,
    inbox: Inbox,  # noqa: F811
) -> None:
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    due = admin_sets_up(context.new_page())
    context.close()
    (to, message), *_ = inbox.wait_for(1)
    assert to == ["nina@bergen.no"]
    link = re.search(r"https?://\S+/invitation/\S+", _body(message)).group(0)
    invitee_arrives(browser.new_context(base_url=server.url, bypass_csp=True), link, due)


def admin_sets_up(page: Page) -> dt.date:
    """Log in, add a school, give it the course, invite Nina by CSV; the due date given."""
    page.goto("/login?lang=en")
    type_into(page, "email", "it@bergen.no")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_enter(page)

    # The admin home lists the new pages; the units page adds a school.
    page.goto("/admin/")
    check(page, "admin home")
    focus_until(page, "a[href='/admin/organisations']")
    press_enter(page)
    check(page, "organisations")
    type_into(page, "name", "Nordnes skole")
    page.select_option("#kind", "school")  # a native select, set as the keyboard would
    type_into(page, "org_number", "974 760 673")
    press_enter(page)
    assert "“Nordnes skole” has been created." in page.inner_text("main")
    check(page, "organisations with a unit")

    # The course goes to the unit, due in three weeks.
    due = dt.date.today() + dt.timedelta(days=21)
    page.goto("/admin/assignments")
    check(page, "assignments")
    page.select_option("#unit", label="Bergen › Nordnes skole")
    page.fill("#due_date", due.isoformat())
    focus_until(page, "button.button[type=submit]")
    press_enter(page)
    assert "The course has been assigned." in page.inner_text("main")
    assert "Nordnes skole" in page.inner_text("table")

    # A CSV as Norwegian Excel writes it: BOM, semicolons.
    page.goto("/admin/invitations")
    check(page, "invitations")
    csv_bytes = "\ufeffname;email;unit;role\nNina Lærer;nina@bergen.no;Nordnes skole;learner\n"
    page.set_input_files(
        "#file",
        files=[{"name": "ansatte.csv", "mimeType": "text/csv", "buffer": csv_bytes.encode()}],
    )
    page.focus("#file")
    focus_until(page, "form[action$='/csv'] button")
    press_enter(page)
    assert "1 invited" in page.inner_text("main")
    assert "nina@bergen.no" in page.inner_text("table") and "Invited" in page.inner_text("table")
    check(page, "people")
    return due


def invitee_arrives(context: Any, link: str, due: dt.date) -> None:
    """Nina follows the mail's link, chooses a password, and sees the course first."""
    nina = context.new_page()
    nina.goto(link + "?lang=en")
    assert "Welcome, Nina Lærer." in nina.inner_text("main")
    check(nina, "invitation")
    type_into(nina, "password", PASSWORD)
    press_enter(nina)
    assert "Welcome! Your password is saved" in nina.inner_text("main")
    headings = nina.locator("main h2").all_inner_texts()
    assert headings[0] == "Assigned to you"
    first_card = nina.locator("section[aria-labelledby=assigned-title] li").first.inner_text()
    assert "Test course" in first_card
    assert f"Assigned to you, due {due.day} {due.strftime('%B %Y')}" in first_card
    check(nina, "catalogue with an assigned course")
    context.close()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nb", ("Organisasjon og enheter", "Personer", "Inviter personer", "Tildelte kurs")),
        ("nn", ("Organisasjon og einingar", "Personar", "Inviter personar", "Tildelte kurs")),
    ],
)
def test_the_admin_pages_in_bokmaal_and_nynorsk(
    browser: Any, server: LiveServer, lang: str, words: tuple[str, ...]
) -> None:
    page = browser.new_context(base_url=server.url, bypass_csp=True).new_page()
    page.goto(f"/login?lang={lang}")
    page.fill("#email", "it@bergen.no")
    page.fill("#password", PASSWORD)
    press_enter(page)
    paths = ("/admin/organisations", "/admin/users", "/admin/invitations", "/admin/assignments")
    for path, heading in zip(paths, words, strict=True):
        page.goto(path)
        assert page.inner_text("h1") == heading
        check(page, f"{path.rsplit('/', 1)[1]} {lang}")
    # An error summary in the language, too.
    page.goto("/admin/organisations")
    page.fill("#org_number", "123")
    page.focus("#name")
    focus_until(page, "button.button[type=submit]")
    press_enter(page)
    summary = page.inner_text("#error-summary")
    assert ("Skriv navnet på enheten." if lang == "nb" else "Skriv namnet på eininga.") in summary
    check(page, f"organisations-errors {lang}")
    page.context.close()
