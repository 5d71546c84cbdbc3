"""`flask elearn remind`: reminder mails for assigned courses, run from a scheduler (cron, a
systemd timer) once a day or more often; each person gets a reminder per assignment at most
once per window (7 and 1 days before the due date)."""

from __future__ import annotations

import datetime as dt
import smtplib

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from elearn.core.constants import LANGUAGES
from elearn.organisations import mails, service
from elearn.player import service as player
from elearn.state import elearn_state

cli = AppGroup("organisations", help="Organisations, staff and assignments.")


@cli.command("remind")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this date (to catch up after downtime).",
)
def remind_command(today: dt.datetime | None) -> None:
    """Send the reminders due now for courses assigned with a due date."""
    state = elearn_state()
    config = current_app.config
    day = today.date() if today else dt.date.today()
    base_url = str(config["ELEARN_BASE_URL"]) or "http://localhost"
    if not config["ELEARN_BASE_URL"]:
        click.echo("ELEARN_BASE_URL is not set: links in the mails say http://localhost.", err=True)
    session = state.session_factory()
    sent = failed = 0
    try:
        for reminder in service.due_reminders(session, day):
            course = state.services["content"].current(session, reminder.assignment.course_id)
            attempt = player.latest_attempt(session, reminder.user, reminder.assignment.course_id)
            if course is None or (attempt is not None and attempt.status == "completed"):
                service.mark_sent(session, reminder)  # nothing to remind of
                session.commit()
                continue
            lang = reminder.user.language or str(config["ELEARN_DEFAULT_LANGUAGE"])
            titles = course.compiled["title"]
            title = titles.get(lang) or next(titles[c] for c in LANGUAGES if c in titles)
            with current_app.test_request_context("/", base_url=base_url):
                link = url_for("elearn.catalogue.course_page", course_id=course.id, _external=True)
                assert reminder.assignment.due_date is not None
                subject, body = mails.reminder_message(
                    config, lang, title, reminder.assignment.due_date, reminder.days_left, link
                )
            try:
                mails.deliver_now(config, reminder.user.email, subject, body, lang)
            except (OSError, smtplib.SMTPException) as exc:
                failed += 1  # not marked: the next run tries again
                click.echo(f"Could not send to {reminder.user.email}: {exc}", err=True)
                continue
            service.mark_sent(session, reminder)
            session.commit()
            sent += 1
    finally:
        session.close()
    click.echo(f"Reminders sent: {sent}. Failed: {failed}.")
    if failed:
        raise SystemExit(1)
