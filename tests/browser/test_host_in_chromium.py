"""elearn inside a host site (tests/host_app.py) in a real Chromium: the host's login, the host's
layout around elearn's pages (axe-core finds nothing), elearn's CSP and styling on its own
pages only, and the host's logout ending the learner's session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, PLAY_COURSE, LiveServer, import_course
from tests.test_host_mount import add_person, drop_host_tables, host_config

Page = Any


@pytest.fixture
def host_server(db: Engine) -> Iterator[LiveServer]:
    from tests import host_app

    app: Flask = host_app.create_app({**host_config(db), "TESTING": False})
    import_course(app, PLAY_COURSE)
    add_person(app, "ada@kommune.no")
    with LiveServer(app) as server:
        yield server
    drop_host_tables(app)


def sign_in_on_the_host(page: Page) -> None:
    page.fill("#email", "ada@kommune.no")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Log in')")


def body_font(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).fontFamily")


def test_a_host_user_plays_in_the_hosts_layout_with_no_accessibility_faults(
    browser: Any, host_server: LiveServer
) -> None:
    # axe-core is injected as a script, which elearn's CSP rightly forbids: this context only.
    context = browser.new_context(base_url=host_server.url, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto("/kurs/c/play-course?lang=en")
        assert axe_violations(page) == []  # signed out, in the host's layout
        with page.expect_navigation():
            page.click("main a:has-text('Log in to take the course')")
        assert page.url.endswith("/login?next=%2Fkurs%2Fc%2Fplay-course")
        sign_in_on_the_host(page)
        assert page.url.endswith("/kurs/c/play-course")
        assert page.is_visible(".host-header >> text=Eksempel kommune")
        assert page.is_visible(".host-footer >> text=Rådhusgata 1")
        assert page.title() == "Test course – Eksempel kommune"
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.click("button:has-text('Start the course')")
        assert "A pupil asks to talk." in page.content()
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.click("button[value=listen]")
        assert "Good: she is heard." in page.inner_text("#feedback")
        with page.expect_navigation():
            page.click("button[value=consult]")
        assert "Help in time" in page.content()
        assert axe_violations(page) == []
        page.goto("/kurs/profile")
        assert axe_violations(page) == []
        # The host's own rules win over elearn's, even placed before them and less specific.
        page.evaluate(
            """() => { const s = document.createElement('style');
            s.textContent = 'body { font-family: serif } a { color: rgb(128, 0, 128) }';
            document.head.prepend(s); }"""
        )
        assert body_font(page) == "serif"
        link = "getComputedStyle(document.querySelector('.host-header a')).color"
        assert page.evaluate(link) == "rgb(128, 0, 128)"
    finally:
        context.close()


def test_elearns_styling_and_policy_stay_on_elearns_pages_and_logout_ends_it(
    browser: Any, host_server: LiveServer
) -> None:
    context = browser.new_context(base_url=host_server.url)  # the real CSP this time
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        page.goto("/login")
        sign_in_on_the_host(page)
        host_font = body_font(page)
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
        assert not any("elearn" in (href or "") for href in sheets)  # nothing of elearn's
        page.goto("/kurs/?lang=en")
        assert "Inter" in body_font(page) and "Inter" not in host_font  # elearn.css applies
        assert page.is_visible("nav >> text=Profile")  # elearn's menu in the host's header
        assert refused == []  # elearn's own files load under its CSP, in the host's layout
        with page.expect_navigation():
            page.click(".host-header button:has-text('Log out')")
        page.goto("/kurs/profile")
        assert "/login?next=" in page.url  # the host's logout ended the learner's session too
    finally:
        context.close()
