"""The new player layouts with the keyboard alone, in nb, nn and en, at 375 and 1280 px: a whole
course (feedback, endings, the result page's "take this scenario again") and a knowledge check.
Every element Tab reaches shows a focus ring, and after a choice focus lands on the consequence
(the feedback, whose heading is the outcome label), with the next choice a few Tabs away.

One server for the module (the courses are imported once), a fresh user per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from elearn.content import load_course
from elearn.core.walk import optimal_walk
from tests.browser.test_player_in_chromium import keyboard_register
from tests.conftest import ROOT, LiveServer, _truncate, import_course, make_test_app

Page = Any
SAMPLE = ROOT / "courses" / "sample-course"
QUIZ_COURSE = ROOT / "courses" / "skole-19b"
SIZES = {375: 667, 1280: 800}
WORDS = {
    "nb": {"decision": "Valg 1", "feedback": "Tilbakemelding", "question": "Spørsmål {} av",
           "labels": ("godt valg", "risikabelt valg", "delvis godt"), "result": "Resultat",
           "quiz_labels": ("Riktig", "Ikke riktig", "Delvis riktig"), "answers": "Svarene dine"},
    "nn": {"decision": "Val 1", "feedback": "Tilbakemelding", "question": "Spørsmål {} av",
           "labels": ("godt val", "risikabelt val", "delvis godt"), "result": "Resultat",
           "quiz_labels": ("Rett", "Ikkje rett", "Delvis rett"), "answers": "Svara dine"},
    "en": {"decision": "Decision 1", "feedback": "Feedback", "question": "Question {} of",
           "labels": ("good choice", "risky choice", "partly good"), "result": "result",
           "quiz_labels": ("Correct", "Not correct", "Partly correct"), "answers": "Your answers"},
}  # fmt: skip

# The focused element, whether it matches `selector`, and whether a focus ring is drawn.
FOCUSED = """(selector) => {
  const e = document.activeElement;
  if (!e || e === document.body) return {match: false, ring: true, what: 'body'};
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
    || (s.boxShadow !== 'none' && s.boxShadow !== '');
  return {match: e.matches(selector), ring: ring,
          what: e.tagName + '#' + e.id + ' ' + (e.textContent || '').trim().slice(0, 40)};
}"""


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = make_test_app(engine, tmp_path_factory.mktemp("keyboard"), ELEARN_RATELIMIT_ENABLED=False)
    app.config["TESTING"] = False  # real pages, as a learner gets them
    import_course(app, SAMPLE)
    import_course(app, QUIZ_COURSE)
    with LiveServer(app) as live:
        yield live
    _truncate(engine)


@pytest.fixture
def keyboard_page(browser: Any, server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def set_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})


def tab_to(page: Page, selector: str, limit: int = 80) -> int:
    """Press Tab until the focused element matches `selector`; every stop on the way must show
    a focus ring. Returns how many Tabs it took."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED, selector)
        assert focused["ring"], f"no visible focus on {focused['what']}"
        if focused["match"]:
            return count
    raise AssertionError(f"Tab never reached {selector}")


def press(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def assert_focus_on_feedback(page: Page) -> None:
    """After a choice the page opens at the consequence: focus on #feedback, ring drawn."""
    page.wait_for_function("document.activeElement && document.activeElement.id === 'feedback'")
    focused = page.evaluate(FOCUSED, "#feedback")
    assert focused["match"] and focused["ring"], focused


def play_by_keyboard(page: Page, words: dict[str, Any], choices: tuple[str, ...]) -> None:
    """Each choice reached with Tab and pressed with Enter or Space (alternately)."""
    for i, cid in enumerate(choices):
        tabs = tab_to(page, f"button.choice[value='{cid}']")
        if i:  # from the feedback, the new situation's choices come straight after
            assert tabs <= page.locator("button.choice").count(), tabs
        press(page, "Enter" if i % 2 else " ")
        assert_focus_on_feedback(page)
        feedback = page.inner_text("#feedback-title")
        assert any(label in feedback for label in words["labels"]), feedback
        if page.locator(".ending").count() == 0:
            assert page.title().startswith(words["feedback"]), page.title()


@pytest.mark.parametrize(("lang", "course_width", "quiz_width"), [
    ("nb", 375, 1280), ("nn", 1280, 375), ("en", 375, 1280)
])  # fmt: skip
def test_a_course_its_result_and_a_knowledge_check_by_keyboard(
    keyboard_page: Page, lang: str, course_width: int, quiz_width: int
) -> None:
    """One learner per language (registering is the slow part): the course at one width, the
    knowledge check at the other."""
    page, words = keyboard_page, WORDS[lang]
    set_width(page, course_width)
    keyboard_register(page, f"tastatur-{lang}@example.no", lang)
    course_and_result(page, lang, words)
    set_width(page, quiz_width)
    page.goto("/")  # back to the course list (the only navigation not done with keys)
    # The whole check once; in the other languages its first questions (the suite stays quick).
    knowledge_check(page, words, questions=40 if lang == "nb" else 2)


def course_and_result(page: Page, lang: str, words: dict[str, Any]) -> None:
    course = load_course(SAMPLE).compiled
    assert course is not None
    first, second = course["scenarios"]
    tab_to(page, "a[href$='/c/sample-course']")
    press(page, "Enter")
    # Start sits at the top of the course page: a few Tabs, not the whole introduction.
    assert tab_to(page, "form[action$='/start'] button") <= 12
    press(page, "Enter")
    assert words["decision"] in page.title()
    play_by_keyboard(page, words, optimal_walk(first, best=False).choices)
    # The ending: the next scenario is the first thing after the feedback and the outcome.
    assert tab_to(page, ".next-step-top button") <= 3
    press(page, " ")
    play_by_keyboard(page, words, optimal_walk(second, best=True).choices)
    assert tab_to(page, ".next-step-top a.button") <= 3
    press(page, "Enter")
    assert words["result"] in page.inner_text("h1")
    # The scenario that ended poorly is offered again, with its own button.
    assert page.locator(".card-again form button").count() == 1
    tab_to(page, ".card-again form button")
    press(page, "Enter")
    assert page.locator("h1").inner_text() == first["title"][lang]
    assert words["decision"] in page.title()


def knowledge_check(page: Page, words: dict[str, Any], questions: int) -> None:
    tab_to(page, "a[href$='/c/skole-19b']")
    press(page, "Enter")
    tab_to(page, "form[action$='/start'] button")
    press(page, "Enter")  # the course starts at its first scenario; back to take the check
    tab_to(page, "nav.breadcrumb a")
    press(page, "Enter")
    tab_to(page, "#scenarios li:last-child form button")
    press(page, "Enter")
    number = 0
    while page.locator("#ending-title").count() == 0 and number < questions:
        number += 1
        assert words["question"].format(number) in page.inner_text("#situation-title")
        tabs = tab_to(page, "button.choice")
        assert number == 1 or tabs == 1, f"question {number}: {tabs} Tabs from the feedback"
        press(page, " " if number % 2 else "Enter")
        assert_focus_on_feedback(page)
        label = page.inner_text("#feedback-title")
        assert any(word in label for word in words["quiz_labels"]), label
    if questions < 10:
        return
    assert number >= 10  # the whole check was answered
    assert words["answers"] in page.inner_text("#ending-title")
    assert page.locator(".answer-summary").count() == 1
