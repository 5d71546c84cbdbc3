"""A unit leader reads the reports in Chromium: keyboard, axe (WCAG 2.1 AA), the chart's name."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page

from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD
from tests.test_player import choose, start_course
from tests.test_reports import make_orgs, person


def test_a_leader_reads_the_reports_with_the_keyboard_and_axe_finds_nothing(
    page: Page, live_app: Flask
) -> None:
    orgs = make_orgs(live_app)
    person(live_app, "rektor@example.no", orgs["a"], "Rektor", "unit_leader")
    for i, pick in enumerate(["listen", "listen", "call-parents", "listen", "listen"]):
        client = person(live_app, f"laerer{i}@example.no", orgs["a"], f"Lærer {i}")
        _, html = start_course(client)
        choose(client, html, pick)

    page.goto("/login?lang=nn")
    page.fill("#email", "rektor@example.no")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")

    page.goto("/admin/reports?lang=nn")
    assert page.locator("h1").inner_text() == "Kursrapportar"
    assert page.locator(".person-table tbody tr").count() == 6
    assert axe_violations(page) == []

    # The decision page, reached by keyboard from the report.
    link = page.get_by_role("link", name="Val per avgjerdspunkt")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/reports/decisions**")
    chart = page.get_by_role("img", name="Første svar ved dette avgjerdspunktet").first
    assert chart.is_visible()
    assert "Lytt" in page.locator(".decision-point").first.inner_text()
    assert "For få svar til å vise" in page.content()  # the next point: no one got that far
    page.locator("details.report-query summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.report-query").first.get_attribute("open") is not None
    assert axe_violations(page) == []
