"""The offline HTML bundle from file:// with every network request refused, and the package
player's accessibility: axe-core (WCAG 2.1 A/AA) on each kind of page, 320 px without horizontal
scrolling (what 400 % zoom of a 1280 px window gives), keyboard focus after a choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from elearn.content import LoadedCourse
from tests.browser.conftest import AXE, axe_violations
from tests.export.conftest import extract
from tests.export.test_scorm_browser import (
    TEXT,
    best_path,
    choose,
    play,
    tab_to,
    worst_path,
)

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], width


def test_offline_bundle_plays_from_file_without_network(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    assert AXE.exists(), "axe-core is not installed: run `make test`"
    course = sample.compiled
    root = extract(packages["html"], tmp_path / "bundle")
    # bypass_csp: the package's own policy would (rightly) refuse the inline script that injects
    # axe; test_the_package_policy_refuses_inline_script shows the policy at work.
    context = chromium.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    requests: list[str] = []
    context.route("http*://**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((root / "index.html").as_uri())
    page.wait_for_selector("#header .site-name")
    frame = page.main_frame
    checked = []

    def check(label: str) -> None:
        violations = axe_violations(page)
        assert violations == [], (label, violations)
        no_horizontal_scroll(page)
        checked.append(label)

    check("course page")
    # the language switch: Nynorsk, then back to Bokmål, by keyboard
    tab_to(page, frame, TEXT, "Nynorsk")
    assert page.evaluate("document.documentElement.lang") == "nn"
    assert "Start kurset" in page.inner_text("main")
    tab_to(page, frame, TEXT, "Bokmål")
    first, second = course["scenarios"]
    path = worst_path(first)
    play(page, frame, course, {first["id"]: path[:1]})
    assert page.evaluate("document.activeElement.id") == "feedback"
    assert page.get_attribute("#feedback", "tabindex") == "-1"
    check("scenario page with feedback")
    for cid in path[1:]:
        choose(page, frame, cid)
    assert page.title().startswith("Slutt på scenarioet")  # the title names the step
    assert page.locator(".ending > .outcome-label").count() == 1  # the outcome in words
    check("ending")
    play(page, frame, course, {second["id"]: best_path(second)})
    tab_to(page, frame, TEXT, "Se resultatet for kurset")
    page.wait_for_selector(".result-box")
    check("result")
    # progress survives a reload (localStorage), and nothing went to the network
    page.reload()
    page.wait_for_selector(".result-box, #header .site-name")
    assert "Du fortsetter der du slapp." in page.inner_text("main")
    assert requests == [] and errors == []
    context.close()


def test_no_lms_found_is_said_and_the_course_still_plays(
    chromium: Any, tmp_path: Path, packages: dict[str, bytes]
) -> None:
    """A SCORM package opened outside an LMS says progress is not saved (role=alert)."""
    root = extract(packages["scorm12"], tmp_path / "pkg")
    page = chromium.new_page()
    page.goto((root / "index.html").as_uri())
    page.wait_for_selector("[role=alert]")
    assert "Fant ikke læringsplattformen" in page.inner_text("[role=alert]")
    page.click("text=Start kurset")
    page.wait_for_selector("button.choice")
    page.close()


def test_the_package_policy_refuses_inline_script(
    chromium: Any, tmp_path: Path, packages: dict[str, bytes]
) -> None:
    """Every package's index.html carries a Content-Security-Policy: a script smuggled into the
    page (an event handler, an inline script) does not run, the package's own files do."""
    for fmt, package in packages.items():
        root = extract(package, tmp_path / fmt)
        html = (root / "index.html").read_text()
        assert "Content-Security-Policy" in html and "unsafe-inline" not in html, fmt
    page = chromium.new_page()
    page.goto((tmp_path / "html" / "index.html").as_uri())
    page.wait_for_selector("button")  # the player's own scripts ran
    page.evaluate(
        """() => { window.ran = false; window.refused = [];
        document.addEventListener('securitypolicyviolation', e => refused.push(e.violatedDirective));
        const img = document.createElement('img');
        img.setAttribute('src', 'data:,'); img.setAttribute('onerror', 'window.ran = true');
        document.body.appendChild(img);
        const s = document.createElement('script'); s.textContent = 'window.ran = true';
        document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => window.refused.length >= 2")  # both were refused
    assert page.evaluate("window.ran") is False
    page.close()


def test_offline_bundle_runs_with_a_group(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    """The "run with a group" toggle in the offline bundle: one screen, the leader clicks the
    room's choice, the group's questions beside each decision; axe-clean, 320 px wide."""
    root = extract(packages["html"], tmp_path / "bundle")
    context = chromium.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    context.route("http*://**/*", lambda route: route.abort())
    page = context.new_page()
    page.goto((root / "index.html").as_uri())
    page.wait_for_selector("#group-toggle")
    page.focus("#group-toggle")
    page.keyboard.press("Enter")
    assert page.get_attribute("#group-toggle", "aria-pressed") == "true"
    assert page.get_attribute("body", "class") == "group-mode"
    page.click(".start-panel button")  # start the course
    page.wait_for_selector(".group-notes")
    assert page.locator(".choice-list button").count() >= 2
    violations = axe_violations(page)
    assert violations == [], violations
    no_horizontal_scroll(page)
    context.close()
