"""The package player's pages as a learner sees them, in the offline HTML bundle of a course with a
knowledge check and an illustration: the course page, a decision with its picture, feedback,
the knowledge check's questions, feedback and answer summary, in the light and the dark colour
scheme, at 375 and 1280 px; the result page with the scenarios to take again, one taken again by
keyboard and resumed after a reload. axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls
sideways; `make screenshots` keeps a picture of each in build/screenshots/package-*.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from elearn.content import load_course
from elearn.core import rules
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


PICK = """(worst) => {
  const app = window.ElearnPlayer.app, course = window.ELEARN_PACKAGE.course;
  const s = course.scenarios.find((x) => x.id === app.current);
  const node = s.nodes[app.scenarios[s.id].node];
  const pts = (id) => node.choices.find((c) => c.id === id).points;
  const shown = [...document.querySelectorAll("button.choice")].map((b) => b.dataset.choice);
  shown.sort((a, b) => (worst ? pts(a) - pts(b) : pts(b) - pts(a)));
  return shown[0];
}"""
STATES = "() => ElearnEngine.encode(ELEARN_PACKAGE.course, ElearnPlayer.snapshot())"


def play_scenario(page: Page, worst: bool) -> None:
    """The most (or fewest) points at each step, to the ending."""
    for _ in range(60):
        if page.locator("#ending-title").count():
            return
        page.click(f"button.choice[data-choice='{page.evaluate(PICK, worst)}']")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'feedback'")
    raise AssertionError("the scenario never ended")


def tab_until(page: Page, test: str, limit: int = 120) -> None:
    """Tab until the focused element passes `test`, then Enter: the keyboard only."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached {test}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_package_result_page_advises_and_takes_one_scenario_again(
    chromium: Any, bundle: Path, scheme: str
) -> None:
    course = load_course(ROOT / "courses" / "skole-19b").compiled
    assert course is not None
    context = chromium.new_context(
        viewport={"width": 375, "height": SIZES[375]}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((bundle / "index.html").as_uri())
    page.wait_for_selector("#header .site-name")
    page.click("button:has-text('Start kurset')")
    for i in range(len(course["scenarios"])):
        play_scenario(page, worst=i == 0)  # the first badly, the others well
        page.click(".next-step-top button")
    page.wait_for_selector("#again-title")
    # The advice is the platform's rule on the same states (rules.take_again), pass likewise.
    resume = rules.decode_resume(course, page.evaluate(STATES))
    assert resume is not None
    advised = [
        s["id"]
        for s in course["scenarios"]
        if rules.take_again(s, resume.states.get(s["id"]), course["mastery_score"])
    ]
    assert advised and advised[0] == course["scenarios"][0]["id"]
    shown = page.evaluate(
        "[...document.querySelectorAll('[data-retake]')].map(b => b.dataset.retake)"
    )
    assert shown == advised
    assert page.locator(".result-list > li").count() == len(course["scenarios"])
    assert page.locator(".result-list > li.card-again").count() == len(advised)
    passed = rules.course_result(course, resume.states).passed
    verdict = page.inner_text(".result-verdict")
    assert verdict.strip() == ("Bestått" if passed else "Ikke bestått"), verdict
    assert "Hva du bør ta på nytt" in page.inner_text("#again-title")
    check(page, "result", scheme)
    # Take the first advised one again with the keyboard only, and make one choice.
    page.locator("h1").focus()
    tab_until(page, f"el && el.dataset.retake === '{advised[0]}'")
    page.wait_for_selector("button.choice")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    tab_until(page, "el && el.classList.contains('choice')")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'feedback'")
    during = rules.decode_resume(course, page.evaluate(STATES))
    assert during is not None and during.current == advised[0]
    assert len(during.states[advised[0]]["path"]) == 1
    # A reload resumes there; every other scenario kept its ending and its points.
    page.reload()
    page.wait_for_selector("#header .site-name")
    assert "Du fortsetter der du slapp." in page.inner_text("main")
    after = rules.decode_resume(course, page.evaluate(STATES))
    assert after is not None and after.current == advised[0]
    for sid, state in resume.states.items():
        got = after.states[sid]
        if sid == advised[0]:
            assert (got["ended"], len(got["path"])) == (False, 1)
        else:
            assert (got["node"], got["points"], got["ended"]) == (
                state["node"],
                state["points"],
                True,
            )
    page.click("nav.breadcrumb a")
    statuses = page.locator("#scenarios .status").all_inner_texts()
    assert statuses.count("Fullført") == len(course["scenarios"]) - 1
    assert statuses.count("Påbegynt") == 1
    assert errors == []
    context.close()
