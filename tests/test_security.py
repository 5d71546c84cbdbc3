"""Secure defaults a learner never sees but relies on."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.test_player import start_course


def test_pages_carry_a_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "unsafe-inline" not in csp


def test_course_images_are_served_sandboxed_and_cached(
    app: Flask, learner_client: FlaskClient
) -> None:
    _, page = start_course(learner_client)
    src = re.search(r'<img src="([^"]+door.svg)"', page).group(1)
    response = learner_client.get(src)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "immutable" in response.headers["Cache-Control"]
    assert learner_client.get(src.replace("door.svg", "../course.yaml")).status_code == 404


def test_the_session_cookie_is_http_only(client: FlaskClient) -> None:
    response = client.get("/register")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_oversized_form_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "x" * 100_000, "password": "y"})
    assert response.status_code == 413
