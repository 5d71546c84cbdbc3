"""The privacy and accessibility pages, a learner's data download, retention, and closing an
account made by single sign-on."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from elearn.certificates.models import Certificate
from elearn.cli import elearn_cli
from elearn.player.models import Attempt
from elearn.tracking.models import StatementKey, StoredStatement
from tests.test_certificates import get_certificate, pass_course


def count(app: Flask, model: type) -> int:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(select(func.count()).select_from(model))
    finally:
        session.close()


def test_privacy_and_accessibility_pages_are_linked_from_every_page_in_each_language(
    client: FlaskClient,
) -> None:
    home = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/privacy"' in home and 'href="/accessibility"' in home
    page = client.get("/privacy").get_data(as_text=True)
    assert "national identity number. We never store it" in page
    assert "36 months" in page and "never see the choices you made" in page
    page = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG 2.1" in page and 'href="https://www.uustatus.no/"' in page
    nb = client.get("/privacy?lang=nb").get_data(as_text=True)
    assert "fødselsnummer" in nb
    nn = client.get("/accessibility?lang=nn").get_data(as_text=True)
    assert "Tilgjengelegheitserklæring" in nn


def test_a_learner_downloads_all_their_data_as_json(
    app: Flask, learner_client: FlaskClient
) -> None:
    get_certificate(learner_client, pass_course(learner_client))
    profile = learner_client.get("/profile").get_data(as_text=True)
    assert "Download my data" in profile and "Test course" in profile
    response = learner_client.get("/profile/my-data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "laerer@example.no"
    assert [a["course"] for a in data["attempts"]] == ["play-course"]
    assert len(data["statements"]) == count(app, StoredStatement) == 18
    assert data["certificates"][0]["name"] == "Kari Nordmann-Ødegård"
    assert data["certificates"][0]["verification_url"].startswith("http://localhost/v/")
    assert app.test_client().get("/profile/my-data.json").status_code == 302  # login first


def test_retention_deletes_old_statements_and_attempts_keeps_certificates_and_is_idempotent(
    app: Flask, learner_client: FlaskClient
) -> None:
    get_certificate(learner_client, pass_course(learner_client))
    _ = pass_course  # a second, recent attempt: kept
    runner = app.test_cli_runner()
    result = runner.invoke(elearn_cli, ["retention"])
    assert "statements: 0 deleted" in result.output and "attempts: 0 deleted" in result.output

    old = dt.datetime(2020, 1, 1)
    session = app.extensions["elearn"].session_factory()
    session.execute(update(StoredStatement).values(stored=old))
    session.execute(update(StatementKey).values(stored=old))
    session.execute(update(Attempt).values(updated_at=old))
    session.commit()
    session.close()

    result = runner.invoke(elearn_cli, ["retention"])
    assert result.exit_code == 0, result.output
    assert "statements: 18 deleted" in result.output and "attempts: 1 deleted" in result.output
    assert "certificates: kept" in result.output
    assert count(app, StoredStatement) == count(app, StatementKey) == count(app, Attempt) == 0
    assert count(app, Certificate) == 1
    session = app.extensions["elearn"].session_factory()
    code = session.scalar(select(Certificate.code))
    session.close()
    assert "Valid" in app.test_client().get(f"/v/{code}?lang=en").get_data(as_text=True)

    again = runner.invoke(elearn_cli, ["retention"])
    assert "statements: 0 deleted" in again.output and "attempts: 0 deleted" in again.output


def test_retention_zero_keeps_everything(app: Flask, learner_client: FlaskClient) -> None:
    pass_course(learner_client)
    app.config["ELEARN_RETENTION_MONTHS"] = 0
    result = app.test_cli_runner().invoke(elearn_cli, ["retention"])
    assert "nothing deleted" in result.output and count(app, Attempt) == 1


def test_the_data_download_holds_the_courses_assigned_and_reminders_sent_and_no_one_elses(
    app: Flask, learner_client: FlaskClient
) -> None:
    """Assignments (to the person or to a unit above theirs) and the reminders mailed are data
    about the person too; a colleague's assignment and the admin who made one are not."""
    from elearn.accounts import service as accounts
    from elearn.accounts.models import Assignment, ReminderSent, User

    session = app.extensions["elearn"].session_factory()
    larvik = accounts.create_organisation(session, "larvik", "Larvik kommune")
    me = session.scalar(select(User).where(User.email == "laerer@example.no"))
    other = accounts.create_user(session, "kollega@example.no", "a long password 1", "teacher")
    admin = accounts.create_user(session, "sjef@example.no", "a long password 2", "teacher")
    accounts.add_membership(session, me, larvik)
    mine = Assignment(
        course_id="play-course", user_id=me.id, due_date=dt.date(2030, 5, 1), created_by_id=admin.id
    )
    theirs = Assignment(course_id="secret-course", user_id=other.id)
    unit = Assignment(course_id="unit-course", organisation_id=larvik.id)
    session.add_all([mine, theirs, unit])
    session.flush()
    session.add(ReminderSent(assignment_id=mine.id, user_id=me.id, days_before=7))
    session.add(ReminderSent(assignment_id=theirs.id, user_id=other.id, days_before=1))
    session.commit()
    session.close()

    data = json.loads(learner_client.get("/profile/my-data.json").data)
    assert data["assigned_courses"] == [
        {"course": "play-course", "due": "2030-05-01"},
        {"course": "unit-course", "due": None},
    ]
    assert [(r["course"], r["days_before_due"]) for r in data["reminders_sent"]] == [
        ("play-course", 7)
    ]
    text = json.dumps(data)
    assert "secret-course" not in text and "kollega" not in text and "sjef" not in text
