"""A live session in a real Chromium: a leader's control page and projector, five phones in
separate browser contexts, playing a scenario to the end. Each screen is checked at each step,
and updates arrive without reloading (the event stream); axe checks every kind of page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.conftest import LiveServer

Page = Any
VOTES = ["listen", "listen", "listen", "call-parents", "listen"]


def _register(page: Page) -> None:
    page.goto("/register?lang=en")
    page.fill("#email", "rektor@example.no")
    page.fill("#password", "correct horse battery")
    page.check("input[name=audience][value=school_leader]")
    with page.expect_navigation():
        page.click("button[type=submit].button")
    # Without mail the account exists now and the person logs in (no sign-in by registering).
    page.fill("#email", "rektor@example.no")
    page.fill("#password", "correct horse battery")
    with page.expect_navigation():
        page.click("main form.form button[type=submit]")


def _no_violations(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def _phone(browser: Any, server: LiveServer, code: str, n: int) -> tuple[Any, Page]:
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    phone = context.new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    phone.goto(f"/live/j/{code}?lang=en")
    assert phone.input_value("#code") == code  # the QR code's address fills it in
    phone.fill("#nickname", f"Phone {n}")
    with phone.expect_navigation():
        phone.click("button[type=submit].button")
    expect(phone.locator("#live-root")).to_contain_text("A pupil asks to talk.")
    return context, phone


def _pick_on_projector(projector: Page, key: str = "PageDown") -> None:
    """The clicker: Page Down / Page Up on the projector page."""
    projector.locator("body").focus()
    with projector.expect_navigation():
        projector.keyboard.press(key)


def test_a_leader_a_projector_and_five_phones_play_a_scenario(
    browser: Any, live_server: LiveServer
) -> None:
    lead_ctx = browser.new_context(base_url=live_server.url, bypass_csp=True)
    contexts = [lead_ctx]
    try:
        lead = lead_ctx.new_page()
        _register(lead)
        lead.goto("/c/play-course/facilitator?lang=en")
        lead.select_option("#live-scenario", "first")
        lead.select_option("#live-lang", "en")
        with lead.expect_navigation():
            lead.click("text=Start a live session")
        code = lead.inner_text("#live-code").strip()
        assert re.fullmatch(r"[A-Z0-9]{6}", code)
        _no_violations(lead, "leader page")
        assert "What do we do here?" in lead.inner_text(".live-notes")  # notes: leader only

        projector = lead_ctx.new_page()
        projector.goto(lead.url.replace("/lead", "/projector"))
        expect(projector.locator("#live-code")).to_have_text(code)
        assert projector.get_attribute("img.live-qr", "alt").endswith(code)
        assert "What do we do here?" not in projector.content()
        _no_violations(projector, "projector")

        phones = []
        for n in range(5):
            context, phone = _phone(browser, live_server, code, n)
            contexts.append(context)
            phones.append(phone)
        _no_violations(phones[0], "phone")
        expect(lead.locator("#live-count")).to_contain_text("5 phones joined")

        _first_decision(lead, projector, phones)
        _second_decision(lead, projector, phones)
        _the_end(lead, phones)
    finally:
        for context in contexts:
            context.close()


def _first_decision(lead: Page, projector: Page, phones: list[Page]) -> None:
    """Everyone votes, one phone changes its vote; the clicker reveals, follows, goes back."""
    # Each phone votes; the projector's count follows without a reload.
    for phone, choice in zip(phones, VOTES, strict=True):
        label = "Listen" if choice == "listen" else "Call the parents"
        with phone.expect_navigation():
            phone.click(f"button.choice:has-text('{label}')")
        expect(phone.locator("#my-vote")).to_contain_text(label)
    expect(projector.locator("#live-count")).to_contain_text("5 votes")
    expect(lead.locator("#live-count")).to_contain_text("5 votes")
    # The phone that voted for the parents changes its mind: still five votes.
    with phones[3].expect_navigation():
        phones[3].click("button.choice:has-text('Listen')")
    _no_violations(phones[3], "phone after voting")

    _pick_on_projector(projector)  # Page Down: show the votes
    expect(projector.locator(".live-bars")).to_contain_text("5 (100 %)")
    for phone in phones:
        expect(phone.locator("#live-root")).to_contain_text("Voting has closed")
    _pick_on_projector(projector)  # Page Down: the room follows the most votes
    expect(projector.locator("#live-root")).to_contain_text("Good: she is heard.")
    for phone in phones:
        expect(phone.locator("#live-root")).to_contain_text("Good: she is heard.")
    _pick_on_projector(projector, "PageUp")  # back a step: the votes are shown again
    expect(projector.locator(".live-bars")).to_contain_text("5 (100 %)")
    _pick_on_projector(projector)
    _pick_on_projector(projector)  # on to the second decision
    expect(projector.locator("#live-root")).to_contain_text("You talk.")
    for phone in phones:
        expect(phone.locator("#live-root")).to_contain_text("You talk.")


def _second_decision(lead: Page, projector: Page, phones: list[Page]) -> None:
    """The leader reveals and picks from their own page; the scenario reaches its end."""
    # The second decision from the leader's own page: reveal, then pick.
    for phone in phones[:2]:
        with phone.expect_navigation():
            phone.click("button.choice:has-text('Consult the Expert Team')")
    expect(lead.locator("#live-count")).to_contain_text("2 votes")
    with lead.expect_navigation():
        lead.click("button:has-text('Show the votes')")
    _no_violations(lead, "leader page, votes shown")
    with lead.expect_navigation():
        lead.click(".live-pick button:has-text('Consult the Expert Team')")
    expect(projector.locator("#live-root")).to_contain_text("Right: they advise")
    with lead.expect_navigation():
        lead.click(".live-controls button:has-text('Next')")
    expect(projector.locator("#live-root")).to_contain_text("Help in time")
    for phone in phones:
        expect(phone.locator("#live-root")).to_contain_text("Help in time")


def _the_end(lead: Page, phones: list[Page]) -> None:
    with lead.expect_navigation():
        lead.click(".live-controls button:has-text('End the session')")
    assert lead.url.endswith("/debrief")
    assert lead.inner_text("#live-participants") == "5"
    assert "A pupil asks to talk." in lead.content() and "You talk." in lead.content()
    _no_violations(lead, "debrief")
    for phone in phones:
        expect(phone.locator("#live-root")).to_contain_text("The session has ended")
    _no_violations(phones[0], "phone at the end")


def test_the_phone_works_without_javascript(browser: Any, live_server: LiveServer) -> None:
    lead_ctx = browser.new_context(base_url=live_server.url)
    phone_ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        lead = lead_ctx.new_page()
        _register(lead)
        lead.goto("/c/play-course/facilitator?lang=en")
        with lead.expect_navigation():
            lead.click("text=Start a live session")
        code = lead.inner_text("#live-code").strip()
        phone = phone_ctx.new_page()
        phone.goto("/live/?lang=en")
        phone.fill("#code", code.lower())
        with phone.expect_navigation():
            phone.click("button[type=submit].button")
        with phone.expect_navigation():
            phone.click("button.choice:has-text('Listen')")
        assert "Your vote: Listen" in phone.inner_text("#my-vote")
        with lead.expect_navigation():
            lead.click("button:has-text('Show the votes')")
        # No script: the page asks to be looked at again (a refresh inside <noscript>, which
        # Chromium with scripting turned off by Playwright still parses as text) and has a link.
        assert '<meta http-equiv="refresh" content="4">' in phone.content()
        with phone.expect_navigation():
            phone.click("text=Update now")
        expect(phone.locator("#live-root")).to_contain_text("Voting has closed")
    finally:
        lead_ctx.close()
        phone_ctx.close()
