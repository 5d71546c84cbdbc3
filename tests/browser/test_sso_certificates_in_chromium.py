"""Feide login → course → certificate → verification, in a real Chromium with the keyboard, the
OpenID provider on loopback; axe on every new page in nb, nn and en."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from elearn.accounts import service as accounts
from elearn.accounts.models import Organisation
from elearn.sso.models import FeideOrgMapping
from tests.browser.conftest import axe_violations
from tests.browser.test_player_in_chromium import focus_text, press_enter
from tests.conftest import PLAY_COURSE, LiveServer, import_course, make_test_app
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.test_sso import feide_user

Page = Any


@pytest.fixture
def idp() -> Iterator[Provider]:
    with Provider() as provider:
        yield provider


@pytest.fixture
def sso_server(db: Engine, tmp_path: Path, idp: Provider) -> Iterator[LiveServer]:
    app: Flask = make_test_app(
        db,
        tmp_path,
        ELEARN_OIDC_FEIDE_ISSUER=idp.url,
        ELEARN_OIDC_FEIDE_CLIENT_ID=CLIENT_ID,
        ELEARN_OIDC_FEIDE_CLIENT_SECRET=CLIENT_SECRET,
        ELEARN_PRIVACY_CONTACT="personvern@larvik.kommune.no",
    )
    app.config["TESTING"] = False
    import_course(app, PLAY_COURSE)
    session = app.extensions["elearn"].session_factory()
    larvik = accounts.create_organisation(session, "larvik", "Larvik kommune")
    school = Organisation(slug="hedrum", name="Hedrum skole", parent_id=larvik.id, kind="school")
    session.add(school)
    session.flush()
    session.add(FeideOrgMapping(feide_realm="hedrum.larvik.kommune.no", organisation_id=school.id))
    session.commit()
    session.close()
    with LiveServer(app) as server:
        yield server


def test_feide_login_to_a_checked_certificate_with_the_keyboard(
    browser: Any, sso_server: LiveServer, idp: Provider
) -> None:
    idp.user = feide_user()
    context = browser.new_context(base_url=sso_server.url, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    checked: list[str] = []

    def check(label: str, on: Page = page) -> None:
        violations = axe_violations(on)
        assert violations == [], f"{label}: {violations}"
        checked.append(label)

    for lang in ("nb", "nn", "en"):
        page.goto(f"/login?lang={lang}")
        check(f"login with Feide {lang}")
        page.goto("/privacy")
        check(f"privacy {lang}")
        page.goto("/accessibility")
        check(f"accessibility {lang}")
    page.goto("/login?lang=en")
    focus_text(page, "Log in with Feide")
    press_enter(page)  # to the provider and straight back (it has signed Kari in)
    assert "You are signed in and placed in Hedrum skole." in page.inner_text("main")

    focus_text(page, "Test course")
    press_enter(page)
    focus_text(page, "Start the course")
    press_enter(page)
    for choice in ("Listen", "Consult the Expert Team", "Next scenario", "Book a qualified interpreter", "See the course result"):  # fmt: skip
        focus_text(page, choice)
        press_enter(page)
    assert "Passed" in page.inner_text("main")
    check("result with certificate offer")
    focus_text(page, "Download the certificate")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = Path(download.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Kari Nordmann" in text and "Larvik kommune" in text and "Measure 19b" in text
    url = next(line for line in text.splitlines() if "/v/" in line).strip()
    assert url.startswith(sso_server.url + "/v/")

    page.goto("/profile")
    check("profile with certificates and data download")
    verifier = browser.new_context(bypass_csp=True)  # someone else, not logged in
    other = verifier.new_page()
    other.goto(url + "?lang=nn")
    assert "Gyldig" in other.inner_text("#certificate-status")
    assert "Kari Nordmann" in other.inner_text("main")
    check("verification nn", on=other)
    verifier.close()
    context.close()
    assert len(checked) == 12
