"""The three real courses and the admin pages in Chromium: zero WCAG 2.1 A/AA violations (axe-core)
in nb, nn and en, no sideways scrolling at 400 % zoom, and a keyboard-only start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Engine

from elearn.accounts import tokens
from elearn.accounts.models import User
from tests.browser.conftest import axe_violations
from tests.browser.test_player_in_chromium import focus_until, keyboard_register, press_enter
from tests.conftest import PASSWORD, ROOT, LiveServer, import_course, make_admin, make_test_app

COURSES = ("skole-19b", "helse-22", "voksenopplaering-24")


@pytest.fixture
def course_server(db: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    app: Flask = make_test_app(db, tmp_path)
    app.config["TESTING"] = False
    for course_id in COURSES:
        import_course(app, ROOT / "courses" / course_id)
    make_admin(app, "it@kommune.no", role="org_admin", org_slug="bodo")
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def course_page(browser: Any, course_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=course_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_no_wcag_violations_in_the_three_courses(course_page: Any) -> None:
    page = course_page
    keyboard_register(page, "laerer@example.no")
    for course_id in COURSES:
        for lang in ("nb", "nn", "en"):
            page.goto(f"/c/{course_id}?lang={lang}")
            assert page.locator("#intro-title").count() == 1  # the opening is shown
            assert axe_violations(page) == [], f"{course_id} {lang}"
        page.goto(f"/c/{course_id}/help?lang=nn")
        assert "47 80 90 50" in page.content()
        assert axe_violations(page) == [], f"{course_id} help"
        page.goto(f"/c/{course_id}/facilitator?lang=nb")
        assert axe_violations(page) == [], f"{course_id} facilitator"
        page.goto(f"/c/{course_id}?lang=nn")
        page.click(".course-links a[href*='/aids/'] >> nth=0")
        assert page.locator(".job-aid h2").count() >= 1
        assert page.locator("[data-print]").is_visible(), "with JavaScript, a print button"
        assert axe_violations(page) == [], f"{course_id} job aid"
        page.goto(f"/c/{course_id}?lang=en")
        page.click("form[action$='/start'] button")
        assert axe_violations(page) == [], f"{course_id} first decision"
        page.click(".choice >> nth=1")
        assert axe_violations(page) == [], f"{course_id} feedback"


def test_admin_pages_have_no_wcag_violations(course_page: Any) -> None:
    page = course_page
    page.goto("/login?lang=nn")
    page.fill("#email", "it@kommune.no")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].button")
    page.goto("/admin/")
    assert axe_violations(page) == [], "admin home"
    page.goto("/admin/exports")
    assert page.locator("select[name=format]").count() == len(COURSES)
    assert axe_violations(page) == [], "exports"
    page.goto("/admin/lrs-clients")
    assert axe_violations(page) == [], "LRS clients"
    page.fill("#name", "Analyseverktøy")
    page.click("form[aria-labelledby=create-title] button[type=submit]")
    assert page.locator("h2", has_text="Analyseverktøy").count() == 1  # the secret, shown once
    assert axe_violations(page) == [], "LRS client created"
    page.fill("#name", "")
    for box in page.locator("input[name=scope]").all():
        box.uncheck()
    page.click("form[aria-labelledby=create-title] button[type=submit]")
    assert page.locator("#error-summary li").count() == 2, "the page's own errors, no bubble"
    assert axe_violations(page) == [], "LRS client form with errors"


def test_password_reset_pages_have_no_wcag_violations(
    course_page: Any, course_server: LiveServer
) -> None:
    page = course_page
    for lang in ("nb", "nn", "en"):
        page.goto(f"/login?lang={lang}")
        page.click("a[href$='/forgot-password']")
        page.click("form.form button[type=submit]")  # nothing typed: the page's own error
        assert page.locator("#error-summary").count() == 1
        assert axe_violations(page) == [], f"forgot password with an error, {lang}"
        page.fill("#email", "it@kommune.no")
        page.click("form.form button[type=submit]")
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], f"check your e-mail, {lang}"
    # The links a mail would carry, made without the mail.
    session = course_server.app.extensions["elearn"].session_factory()
    user_id = session.scalar(select(User.id).where(User.email == "it@kommune.no"))
    token = tokens.issue(session, tokens.RESET, "it@kommune.no", 60, user_id=user_id)
    pending = tokens.issue(session, tokens.REGISTER, "ny@kommune.no", 60, password_hash="x")
    session.commit()
    session.close()
    page.goto(f"/reset-password/{token}?lang=nn")
    page.fill("#password", "short")
    page.click("form.form button[type=submit]")
    assert page.locator("#error-summary").count() == 1
    assert axe_violations(page) == [], "new password with an error"
    page.fill("#password", "a long new passphrase")
    page.click("form.form button[type=submit]")
    assert page.locator("a[href$='/logout'], form[action$='/logout']").count() >= 1, "logged in"
    page.goto(f"/reset-password/{token}?lang=nn")
    assert axe_violations(page) == [], "a used link"
    page.goto(f"/register/finish/{pending}?lang=en")
    assert page.locator("form.form button[type=submit]").count() == 1
    assert axe_violations(page) == [], "finish a registration"


def test_a_real_course_reflows_at_400_percent_zoom(browser: Any, course_server: LiveServer) -> None:
    context = browser.new_context(
        base_url=course_server.url, viewport={"width": 320, "height": 256}
    )
    page = context.new_page()
    keyboard_register(page, "zoom@example.no", lang="nn")
    for course_id in COURSES:
        page.goto(f"/c/{course_id}")
        focus_until(page, "form[action$='/start'] button")
        press_enter(page)  # keyboard only
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{course_id} scrolls sideways at 320 px"
    context.close()
