"""A learner in a real Chromium: keyboard only, screen-reader semantics, axe-core, zoom, no JS."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD

Page = Any


def keyboard_register(page: Page, email: str, lang: str = "en") -> None:
    """Fill in the registration form with the keyboard alone."""
    page.goto(f"/register?lang={lang}")
    page.keyboard.press("Tab")  # skip link
    assert page.evaluate("document.activeElement.textContent.trim()") in {
        "Skip to content", "Hopp til innholdet", "Hopp til innhaldet"
    }  # fmt: skip
    page.keyboard.press("Enter")  # jump to main content
    focus_field(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")  # into the radio group: first option
    page.keyboard.press("Space")
    focus_until(page, "button[type=submit].button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Registering logs nobody in (it must not tell who has an account): the login page next.
    assert page.url.split("#")[0].split("?")[0].endswith("/login"), page.url
    focus_field(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def mouse_login(page: Page, email: str) -> None:
    """The login page a registration lands on, filled in and sent."""
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form.form button[type=submit]")


def focus_field(page: Page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def focus_until(page: Page, selector: str, limit: int = 60) -> str:
    """Press Tab until the focused element matches selector; return its text."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return page.evaluate("document.activeElement.textContent.trim()")
    raise AssertionError(f"Tab never reached {selector}")


def focus_text(page: Page, text: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement.textContent || ''"):
            return
    raise AssertionError(f"Tab never reached an element with text {text!r}")


def press_enter(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_only_learner_plays_a_course_to_its_end(page: Page) -> None:
    keyboard_register(page, "tastatur@example.no")
    assert page.url.split("#")[0].endswith("/")
    focus_text(page, "Test course")
    press_enter(page)
    focus_text(page, "Start the course")
    press_enter(page)
    assert "A pupil asks to talk." in page.content()
    # Choices are real buttons reached with Tab and pressed with Enter.
    focus_text(page, "Listen")
    press_enter(page)
    # Focus moves to the consequence, so it is read first.
    assert page.evaluate("document.activeElement.id") == "feedback"
    assert "Good: she is heard." in page.inner_text("#feedback")
    focus_text(page, "Consult the Expert Team")
    press_enter(page)
    assert page.evaluate("document.activeElement.id") == "feedback"
    assert "Help in time" in page.content()
    focus_text(page, "Next scenario")
    press_enter(page)
    focus_text(page, "Book a qualified interpreter")
    press_enter(page)
    focus_text(page, "See the course result")
    press_enter(page)
    assert "Passed" in page.inner_text("main")


def test_focus_is_visible_on_every_kind_of_control(page: Page) -> None:
    keyboard_register(page, "fokus@example.no")
    page.goto("/c/play-course")
    focus_text(page, "Start the course")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px"


def test_no_wcag_violations_on_any_page_in_any_language(page: Page) -> None:
    checked = []

    def check(label: str) -> None:
        violations = axe_violations(page)
        assert violations == [], f"{label}: {violations}"
        checked.append(label)

    for lang in ("nb", "nn", "en"):
        page.goto(f"/login?lang={lang}")
        check(f"login {lang}")
    page.goto("/register?lang=en")
    page.click("button[type=submit].button")  # empty form: the error summary and field errors
    check("register with errors")
    keyboard_register(page, "axe@example.no")
    check("catalogue")
    page.goto("/c/play-course")
    check("course page")
    page.goto("/c/play-course/facilitator")
    check("facilitator notes")
    page.goto("/c/play-course")
    page.click("text=Start the course")
    check("node with image and reflection")
    page.click("text=Call the parents")
    check("feedback and conditional text")
    page.click("text=Wait anyway")
    check("ending")
    page.click("text=Next scenario")
    page.click("text=Let the sister interpret")
    page.click("text=See the course result")
    check("course result")
    page.goto("/profile")
    check("profile")
    for lang in ("nb", "nn", "en"):
        page.goto(f"/c/sample-course?lang={lang}")
        check(f"sample course {lang}")
        # Start the course (first language) or continue it (the others).
        page.click("form[action$='/start'] button, form[action$='/enter'] button >> nth=0")
        check(f"sample course node {lang}")
        page.click(".choice >> nth=0")
        check(f"sample course feedback {lang}")
    page.goto("/no-such-page")
    check("not found")
    assert len(checked) >= 20


def test_works_at_400_percent_zoom_and_on_a_phone(browser: Any, live_server: Any) -> None:
    # 400 % zoom of a 1280 px wide window is a 320 CSS px viewport (WCAG 1.4.10 Reflow).
    for width, height in ((320, 256), (375, 667)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        keyboard_register(page, f"zoom{width}@example.no")
        for path in ("/", "/c/play-course"):
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways at {width}px"
        page.click("text=Start the course")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the player scrolls sideways at {width}px"
        context.close()


def test_the_whole_course_works_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/register?lang=nn")
    page.fill("#email", "utanjs@example.no")
    page.fill("#password", PASSWORD)
    page.check("#audience-teacher")
    page.click("button[type=submit].button")
    mouse_login(page, "utanjs@example.no")
    page.goto("/c/play-course")
    page.click("text=Start kurset")
    page.click("text=Lytt")
    assert "Du valde" in page.inner_text("#feedback")
    page.click("text=Rådfør deg")
    page.click("text=Neste scenario")
    page.click("text=Bestill tolk")
    page.click("text=Sjå resultatet for kurset")
    assert "Bestått" in page.inner_text("main")
    assert page.get_attribute("html", "lang") == "nn"
    context.close()


def test_the_accessibility_check_finds_a_planted_problem(page: Page) -> None:
    # Guards the guard: an unlabeled field and an image without alt must be reported.
    page.set_content('<html lang="en"><body><main><img src="x.png"><input></main></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= found


def test_keyboard_only_learner_finishes_the_sample_course_that_make_run_serves(
    page: Page,
) -> None:
    keyboard_register(page, "eksempel@example.no", lang="nn")
    page.goto("/c/sample-course")
    focus_text(page, "Start kurset")
    press_enter(page)
    for _ in range(60):  # every path through the sample course is far shorter
        if page.query_selector("button.choice"):
            focus_until(page, "button.choice")  # the first choice offered
            press_enter(page)
            assert page.evaluate("document.activeElement.id") == "feedback"
        elif page.query_selector("text=Neste scenario"):
            focus_text(page, "Neste scenario")
            press_enter(page)
        else:
            break
    focus_text(page, "Sjå resultatet for kurset")
    press_enter(page)
    main = page.inner_text("main")
    assert "Resultat for kurset" in main and ("Bestått" in main or "Ikkje bestått" in main)


def test_a_stale_choice_is_announced_and_focused(page: Page) -> None:
    keyboard_register(page, "tilbake@example.no")
    page.goto("/c/play-course")
    page.click("text=Start the course")
    second_tab = page.context.new_page()
    second_tab.goto(page.url)  # the same node open in two tabs
    page.click("text=Listen")
    second_tab.bring_to_front()
    second_tab.click("text=Call the parents")  # chosen from the tab that is now out of date
    second_tab.wait_for_load_state()
    assert second_tab.evaluate("document.activeElement.id") == "messages"
    assert "That page was out of date" in second_tab.inner_text("[role=alert]")
    assert "Good: she is heard." in second_tab.inner_text("#feedback")  # the real state is kept
