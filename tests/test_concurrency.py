"""Racing submits from one learner (double clicks, two tabs): exactly one of them counts."""

from __future__ import annotations

import re
import threading

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_from, form_value
from tests.test_player import attempts, start_course, statements, verbs


def race(app: Flask, client: FlaskClient, path: str, data: dict[str, str], n: int = 6) -> list[int]:
    """POST the same form from n threads at once, each with the learner's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def submit() -> None:
        c = app.test_client()
        c.set_cookie("session", cookie.value)
        barrier.wait()
        statuses.append(c.post(path, data=data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return statuses


def test_racing_start_buttons_make_one_attempt(app: Flask, learner_client: FlaskClient) -> None:
    page = learner_client.get("/c/play-course").get_data(as_text=True)
    statuses = race(app, learner_client, "/c/play-course/start", {"csrf_token": csrf_from(page)})
    assert statuses == [302] * 6
    assert len(attempts(app)) == 1
    assert verbs(statements(app)).count("launched") == 1
    assert verbs(statements(app)).count("experienced") == 1


def test_racing_choices_record_one_step(app: Flask, learner_client: FlaskClient) -> None:
    _, page = start_course(learner_client)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    data = {"csrf_token": csrf_from(page), "step": form_value(page, "step"), "choice": "listen"}
    statuses = race(app, learner_client, action, data)
    assert statuses == [302] * 6  # each is redirected: one to the feedback, the rest "out of date"
    (attempt,) = attempts(app)
    assert attempt.state["scenarios"]["first"]["path"] == [["intro", "listen"]]
    assert attempt.state["scenarios"]["first"]["points"] == 2
    assert verbs(statements(app)).count("answered") == 1
