"""Every kind of page a learner and an admin meet, in nb, nn and en, at 375 px (a phone) and
1280 px (a laptop): axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls sideways, the
page title names the step, the outcome of a choice is said in words (not colour alone). A
full-page screenshot of each is kept in build/screenshots/ to be looked at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.browser.conftest import axe_violations
from tests.browser.test_player_in_chromium import mouse_login
from tests.conftest import PASSWORD, PLAY_COURSE, ROOT, import_course, make_admin, make_test_app

Page = Any
SHOTS = ROOT / "build" / "screenshots"
# `make screenshots` keeps a picture of every page type (96 files); the suite itself checks
# the same pages without writing them, which halves its time.
KEEP_SHOTS = os.environ.get("ELEARN_SCREENSHOTS", "") not in ("", "0")
WIDTHS = {375: 667, 1280: 800}
WORDS = {  # what the learner reads, per language
    "nb": {"start": "Start kurset", "decision": "Valg 1", "feedback": "Tilbakemelding",
           "question": "Spørsmål 1 av", "labels": ("godt valg", "risikabelt valg", "delvis godt"),
           "quiz_labels": ("Riktig", "Ikke riktig", "Delvis riktig"), "result": "Resultat for kurset",
           "answers": "Svarene dine", "next": "Neste scenario", "continue": "Fortsett"},
    "nn": {"start": "Start kurset", "decision": "Val 1", "feedback": "Tilbakemelding",
           "question": "Spørsmål 1 av", "labels": ("godt val", "risikabelt val", "delvis godt"),
           "quiz_labels": ("Rett", "Ikkje rett", "Delvis rett"), "result": "Resultat for kurset",
           "answers": "Svara dine", "next": "Neste scenario", "continue": "Hald fram"},
    "en": {"start": "Start the course", "decision": "Decision 1", "feedback": "Feedback",
           "question": "Question 1 of", "labels": ("good choice", "risky choice", "partly good"),
           "quiz_labels": ("Correct", "Not correct", "Partly correct"), "result": "Course result",
           "answers": "Your answers", "next": "Next scenario", "continue": "Continue"},
}  # fmt: skip


@pytest.fixture
def live_app(db: Engine, tmp_path: Path) -> Flask:
    app = make_test_app(db, tmp_path)
    app.config["TESTING"] = False
    import_course(app, PLAY_COURSE)
    import_course(app, ROOT / "courses" / "sample-course")
    import_course(app, ROOT / "courses" / "skole-19b")  # has a knowledge check
    return app


class Visit:
    """Checks (and with `make screenshots`, photographs) each page a test reaches, at each of
    the widths: the viewport is resized on the page as it is, so one walk through the player
    covers both widths without asking the server again."""

    def __init__(self, page: Page, lang: str, widths: tuple[int, ...] = tuple(sorted(WIDTHS))):
        self.page, self.lang, self.widths = page, lang, widths
        SHOTS.mkdir(parents=True, exist_ok=True)

    def check(self, name: str) -> None:
        for width in self.widths:
            self.page.set_viewport_size({"width": width, "height": WIDTHS[width]})
            self._check_at(name, width)

    def _check_at(self, name: str, width: int) -> None:
        violations = axe_violations(self.page)
        assert violations == [], f"{name} {self.lang} {width}: {violations}"
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            self.page.screenshot(
                path=str(SHOTS / f"FAILED-{name}-{self.lang}-{width}.png"), full_page=True
            )
        assert overflow <= 0, f"{name} scrolls sideways at {width}px ({self.lang})"
        if not KEEP_SHOTS:  # every check above still ran; the pictures are for looking at
            return
        path = SHOTS / f"{name}-{self.lang}-{width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        # What the first screen shows, at the size it is seen.
        self.page.screenshot(path=str(path.with_suffix(".top.png")))


def register(page: Page, email: str, lang: str) -> None:
    page.goto(f"/register?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.check("#audience-teacher")
    page.select_option("#language", lang)
    page.click("main button[type=submit].button")
    mouse_login(page, email)


def play_first_choices_to_the_end(page: Page) -> None:
    for _ in range(40):
        if not page.query_selector("button.choice"):
            return
        page.click("button.choice >> nth=0")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_page_type(browser: Any, live_server: Any, live_app: Flask, lang: str) -> None:
    """Each page type at 375 and 1280 px: axe, no sideways scrolling, and what it must say."""
    words = WORDS[lang]
    width = 375  # the walk itself happens on a phone; each page is also checked at 1280 px
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": WIDTHS[width]},
        bypass_csp=True,
    )
    page = context.new_page()
    visit = Visit(page, lang)
    page.goto(f"/c/sample-course?lang={lang}")
    assert "Framdrift" not in page.inner_text("main") and "Progress" not in page.inner_text("main")
    visit.check("course-logged-out")
    register(page, f"sider-{lang}-{width}@example.no", lang)
    visit.check("catalogue")

    # Course page: the start button comes before the introduction, which is folded.
    page.goto("/c/sample-course")
    start_y = page.locator("form[action$='/start'] button").bounding_box()["y"]
    intro = page.locator("details.introduction")
    assert intro.count() == 0 or intro.bounding_box()["y"] > start_y
    visit.check("course")

    page.click(f"text={words['start']}")
    assert words["decision"] in page.title()
    visit.check("decision")
    page.click("button.choice >> nth=0")
    assert page.title().startswith(words["feedback"])
    feedback = page.inner_text("#feedback")
    assert any(label in feedback for label in words["labels"]), feedback
    assert page.locator("#feedback .outcome-icon").count() == 1  # an icon next to the words
    visit.check("feedback")
    play_first_choices_to_the_end(page)
    assert page.locator(".ending .path li").count() >= 1
    assert page.locator(f".next-step-top :text('{words['next']}')").count() == 1
    visit.check("ending")
    page.click(f".next-step-top :text('{words['next']}')")
    play_first_choices_to_the_end(page)
    page.click(".next-step-top a.button")
    assert words["result"] in page.inner_text("h1")
    visit.check("result")

    # The knowledge check: its own wording, "Question 1 of N", an answer summary at the end.
    page.goto("/c/skole-19b")
    page.click(f"text={words['start']}")
    page.goto("/c/skole-19b")
    assert words["continue"] in page.inner_text(".start-panel")
    page.click("#scenarios li:last-child form button")
    assert words["question"] in page.inner_text("#situation-title")
    visit.check("quiz-question")
    page.click("button.choice >> nth=0")
    assert any(label in page.inner_text("#feedback-title") for label in words["quiz_labels"])
    visit.check("quiz-feedback")
    play_first_choices_to_the_end(page)
    assert words["answers"] in page.inner_text("#ending-title")
    visit.check("quiz-summary")
    context.close()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_admin_lrs_clients_page(
    browser: Any, live_server: Any, live_app: Flask, width: int
) -> None:
    make_admin(live_app, f"admin{width}@example.no")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": WIDTHS[width]},
        bypass_csp=True,
    )
    page = context.new_page()
    page.goto("/login?lang=nb")
    page.fill("#email", f"admin{width}@example.no")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit].button")
    page.goto("/admin/lrs-clients")
    page.fill("#name", "Analyseverktøy, Bergen kommune")
    page.click("text=Opprett tilgang >> nth=-1")
    page.goto("/admin/lrs-clients")
    # No word is broken in the middle: each header cell is one line wide enough for its word.
    for header in page.locator("th").all():
        box = header.evaluate("(th) => [th.scrollWidth, th.clientWidth]")
        assert box[0] <= box[1], header.inner_text()
    # Revoking asks first: the real button is inside a closed <details>.
    assert not page.locator("details.confirm button[type=submit]").is_visible()
    page.click("details.confirm summary")
    visit = Visit(page, "nb", (width,))
    visit.check("admin-lrs-clients")
    context.close()


def test_dark_colour_scheme_follows_the_system(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, color_scheme="dark", bypass_csp=True)
    page = context.new_page()
    register(page, "mork@example.no", "nb")
    page.goto("/c/sample-course")
    page.click("text=Start kurset")
    page.click("button.choice >> nth=0")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(x) for x in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 80, background  # a dark page, not white
    visit = Visit(page, "nb", (1280,))
    visit.check("feedback-dark")
    context.close()
