"""The package player's pages as a learner sees them, in the offline HTML bundle of a course with a
knowledge check and an illustration: the course page, a decision with its picture, feedback,
the knowledge check's questions, feedback and answer summary, in the light and the dark colour
scheme, at 375 and 1280 px. axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls
sideways; `make screenshots` keeps a picture of each in build/screenshots/package-*.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from elearn.content import load_course
from scorm_export import build_package
from tests.browser.conftest import axe_violations
from tests.export.conftest import BASE, ROOT, extract

pytestmark = pytest.mark.browser
Page = Any
SHOTS = ROOT / "build" / "screenshots"
KEEP_SHOTS = os.environ.get("ELEARN_SCREENSHOTS", "") not in ("", "0")
SIZES = {375: 667, 1280: 800}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = load_course(ROOT / "courses" / "skole-19b")
    assert course.compiled is not None, course.problems
    data = build_package(course.compiled, course.assets, "html", "nb", activity_base=BASE)
    return extract(data, tmp_path_factory.mktemp("package"))


def check(page: Page, name: str, scheme: str) -> None:
    """axe and reflow at both widths (resizing the page as it is); a picture of each if kept.
    The dark scheme changes colours, not layout: without pictures to keep it is checked at the
    phone width only, which keeps the suite quick."""
    widths = [375] if scheme == "dark" and not KEEP_SHOTS else list(SIZES)
    for width in widths:
        height = SIZES[width]
        page.set_viewport_size({"width": width, "height": height})
        violations = axe_violations(page)
        assert violations == [], f"{name} {scheme} {width}: {violations}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width}px ({scheme})"
        if KEEP_SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SHOTS / f"package-{name}-{scheme}-{width}.png"), full_page=True
            )
    page.set_viewport_size({"width": 375, "height": SIZES[375]})


def choose_first(page: Page) -> None:
    page.click("button.choice >> nth=0")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'feedback'")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_package_pages_with_a_knowledge_check(chromium: Any, bundle: Path, scheme: str) -> None:
    context = chromium.new_context(
        viewport={"width": 375, "height": SIZES[375]}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((bundle / "index.html").as_uri())
    page.wait_for_selector("#header .site-name")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(x) for x in background[background.index("(") + 1 : -1].split(",")[:3]]
    if scheme == "dark":
        assert max(channels) < 80, background  # a dark page, not white
    else:
        assert min(channels) > 200, background
    # The start button comes before the (folded) introduction, as on the platform.
    start = page.locator("button", has_text="Start kurset")
    intro = page.locator("details.introduction")
    assert intro.count() == 1 and not intro.evaluate("d => d.open")
    assert start.bounding_box()["y"] < intro.bounding_box()["y"]
    check(page, "course", scheme)
    course_pages(page, start, scheme)
    knowledge_check(page, scheme)
    assert errors == []
    context.close()


def course_pages(page: Page, start: Any, scheme: str) -> None:
    start.click()
    page.wait_for_selector("button.choice")
    check(page, "decision", scheme)
    choose_first(page)
    check(page, "feedback", scheme)
    # Starting the whole course again (which wipes the progress) is not next to the choices.
    assert page.locator("button", has_text="Start kurset på nytt").count() == 0
    page.click("nav.breadcrumb a")
    # Started: "Continue" at the top; the second scenario opens on its illustration.
    assert page.locator(".start-panel button", has_text="Fortsett").count() == 1
    page.click("#scenarios li:nth-child(2) button")
    image = page.locator(".node-image img")
    image.wait_for()
    assert len(image.get_attribute("alt") or "") > 40
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # it is in the package
    check(page, "decision-image", scheme)


def knowledge_check(page: Page, scheme: str) -> None:
    # The knowledge check: its own wording, "Spørsmål 1 av N", an answer summary at the end.
    page.click("nav.breadcrumb a")
    page.click("#scenarios li:last-child button")
    page.wait_for_selector("button.choice")
    assert "Spørsmål 1 av" in page.inner_text("#situation-title")
    assert "Velg et svar" in page.inner_text("legend")
    # The question itself stands out (the platform's .situation-text style), not a small line.
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.situation-text')).fontSize)"
    )
    assert size > page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    check(page, "quiz-question", scheme)
    choose_first(page)
    label = page.inner_text("#feedback-title")
    assert any(word in label for word in ("Riktig", "Ikke riktig", "Delvis riktig")), label
    assert "Spørsmål 2 av" in page.inner_text("#situation-title")
    check(page, "quiz-feedback", scheme)
    for _ in range(40):
        if page.locator("#ending-title").count():
            break
        choose_first(page)
    assert "Svarene dine" in page.inner_text("#ending-title")
    assert "riktig" in page.inner_text(".answer-summary")
    # The next step right after the outcome, before the list of answers, and again after it.
    top = page.locator(".next-step-top button").bounding_box()["y"]
    assert top < page.locator("ol.path").bounding_box()["y"]
    assert page.locator(".next-step-bottom button").count() == 1
    check(page, "quiz-summary", scheme)
