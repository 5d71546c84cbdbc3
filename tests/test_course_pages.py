"""What the reviewed courses give a learner beyond the scenarios: the shared explanation after a
knowledge-check answer, when each help entry was last checked, and printable job aids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from elearn.content import load_course
from tests.conftest import ROOT, csrf_from, form_value, import_course, make_test_app, register

COURSE = ROOT / "courses" / "skole-19b"


@pytest.fixture(scope="module")
def compiled() -> dict:
    loaded = load_course(COURSE)
    assert loaded.ok
    return loaded.compiled


@pytest.fixture
def school(db: Engine, tmp_path: Path) -> Flask:
    app = make_test_app(db, tmp_path)
    import_course(app, COURSE)
    return app


def test_the_help_page_says_when_each_entry_was_last_checked(school: Flask, compiled: dict) -> None:
    checked = [h["checked"] for h in compiled["help"]]
    assert checked and all(checked), "every help entry of the course has a date"
    html = school.test_client().get("/c/skole-19b/help?lang=nb").get_data(as_text=True)
    assert html.count('<time datetime="2026-12-03">3. desember 2026</time>') == len(checked)
    english = school.test_client().get("/c/skole-19b/help?lang=en").get_data(as_text=True)
    assert 'Last checked: <time datetime="2026-12-03">3 December 2026</time>' in english


def test_job_aids_are_printable_pages_linked_from_the_course(school: Flask, compiled: dict) -> None:
    client = school.test_client()
    course_page = client.get("/c/skole-19b?lang=nb").get_data(as_text=True)
    for aid in compiled["job_aids"]:
        url = f"/c/skole-19b/aids/{aid['id']}"
        assert f'href="{url}"' in course_page
        page = client.get(url + "?lang=nn")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert aid["title"]["nn"] in html
        for section in aid["sections"]:
            assert section["heading"]["nn"] in html
        lines = html.count('class="fill-line"')
        fill_items = sum(len(s["items"]) for s in aid["sections"] if s["fill_in"])
        assert lines == fill_items, "a line to write on after each item of a fill-in section"
        assert re.search(r"<button[^>]*data-print hidden", html), "no dead button without JS"
    assert client.get("/c/skole-19b/aids/no-such-aid").status_code == 404
    assert client.get("/c/no-such-course/aids/kontaktark").status_code == 404


def test_a_knowledge_check_answer_shows_the_shared_explanation_once(
    school: Flask, compiled: dict
) -> None:
    quiz = next(s for s in compiled["scenarios"] if s["id"] == "kunnskapssjekk")
    first = quiz["nodes"][quiz["start"]]
    assert first["explanation"], "the question has a shared explanation"
    client: FlaskClient = school.test_client()
    register(client)
    page = client.get("/c/skole-19b").get_data(as_text=True)
    started = client.post("/c/skole-19b/start", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 302
    attempt_url = started.headers["Location"].rsplit("/s/", 1)[0]
    entered = client.post(
        f"{attempt_url}/s/kunnskapssjekk/enter",
        data={"csrf_token": csrf_from(page), "step": "1"},
    )
    play = client.get(entered.headers["Location"].split("#")[0] + "?lang=en")
    html = play.get_data(as_text=True)
    choices = re.findall(r'name="choice" value="([^"]+)"', html)
    assert choices
    answer = client.post(
        f"{attempt_url}/s/kunnskapssjekk/choose",
        data={
            "csrf_token": csrf_from(html),
            "step": form_value(html, "step"),
            "choice": choices[0],
        },
    )
    feedback = client.get(answer.headers["Location"].split("#")[0] + "?lang=en")
    text = feedback.get_data(as_text=True)
    explanation = first["explanation"]["en"].split("\n\n")[0].strip()
    assert text.count(explanation[:60]) == 1


def test_an_attempt_on_a_version_that_can_no_longer_play_gets_a_clear_page(
    school: Flask,
) -> None:
    """A stored version in a format newer than this installation reads (say, after a
    downgrade) is refused with a page that says what to do, not a server error."""
    from sqlalchemy import update

    from elearn.content.models import CourseVersion

    client: FlaskClient = school.test_client()
    register(client)
    page = client.get("/c/skole-19b").get_data(as_text=True)
    started = client.post("/c/skole-19b/start", data={"csrf_token": csrf_from(page)})
    session = school.extensions["elearn"].session_factory()
    version = session.get(CourseVersion, 1)
    compiled = {**version.compiled, "format_version": 99}
    session.execute(update(CourseVersion).values(compiled=compiled, content_hash="f" * 64))
    session.commit()
    session.close()
    response = client.get(started.headers["Location"].split("#")[0] + "?lang=en")
    assert response.status_code == 410
    assert "start it again" in response.get_data(as_text=True)
