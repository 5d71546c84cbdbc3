"""Helpers for the live-session tests: a leader, phones (each its own cookie jar) and forms."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_from, register


def start_session(client: FlaskClient, scenario: str = "first", lang: str = "en") -> str:
    """The leader starts a session from the facilitator page; returns the lead page's URL."""
    page = client.get("/c/play-course/facilitator").get_data(as_text=True)
    assert "Start a live session" in page
    response = client.post(
        "/live/start",
        data={
            "csrf_token": csrf_from(page),
            "course_id": "play-course",
            "scenario_id": scenario,
            "projector_lang": lang,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def leader(app: Flask, email: str = "rektor@example.no") -> FlaskClient:
    client = app.test_client()
    register(client, email, audience="school_leader")
    return client


def code_of(html: str) -> str:
    match = re.search(r'id="live-code">([A-Z0-9]{6})<', html)
    assert match, "no join code on the page"
    return match.group(1)


def step_of(html: str) -> str:
    match = re.search(r'name="step" value="(\d+)"', html)
    assert match
    return match.group(1)


def round_of(html: str) -> str:
    match = re.search(r'name="round" value="(\d+)"', html)
    assert match, "no vote form on the page"
    return match.group(1)


def join(app: Flask, code: str, nickname: str = "") -> tuple[FlaskClient, str]:
    """A phone: its own client (cookie jar), joined; returns it and its page's URL."""
    phone = app.test_client()
    page = phone.get(f"/live/j/{code}?lang=en").get_data(as_text=True)
    response = phone.post(
        "/live/join", data={"csrf_token": csrf_from(page), "code": code, "nickname": nickname}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return phone, response.headers["Location"]


def vote(phone: FlaskClient, url: str, choice: str, round_: str | None = None) -> object:
    page = phone.get(url).get_data(as_text=True)
    return phone.post(
        f"{url}/vote",
        data={
            "csrf_token": csrf_from(page),
            "round": round_ if round_ is not None else round_of(page),
            "choice": choice,
        },
    )


def act(client: FlaskClient, lead_url: str, action: str, step: str | None = None, **extra: str):
    page = client.get(lead_url).get_data(as_text=True)
    public_id = lead_url.split("/s/")[1].split("/")[0]
    return client.post(
        f"/live/s/{public_id}/act",
        data={
            "csrf_token": csrf_from(page),
            "step": step if step is not None else step_of(page),
            "action": action,
            **extra,
        },
    )
