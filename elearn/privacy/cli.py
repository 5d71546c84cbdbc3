"""`flask elearn retention`: delete what is older than ELEARN_RETENTION_MONTHS (run it daily)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.db import utcnow
from elearn.signals import retention_due
from elearn.state import elearn_state

cli = AppGroup("privacy", help="Privacy: retention.")


def months_before(now: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    for day in (now.day, 30, 29, 28):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@cli.command("retention")
def retention_command() -> None:
    """Delete statements and attempts older than ELEARN_RETENTION_MONTHS; keep certificates.
    Safe to run again: what is gone stays gone, nothing else is touched."""
    months = current_app.config["ELEARN_RETENTION_MONTHS"]
    if months <= 0:
        click.echo("ELEARN_RETENTION_MONTHS is 0: everything is kept, nothing deleted.")
        return
    cutoff = months_before(utcnow(), months)
    state = elearn_state()
    session = state.session_factory()
    deleted: dict[str, int] = {}
    try:
        retention_due.send(state, session=session, cutoff=cutoff, deleted=deleted)
        session.commit()
    finally:
        session.close()
    click.echo(
        f"Retention: {months} months, deleting what is older than {cutoff:%Y-%m-%d %H:%M} UTC."
    )
    for what in sorted(deleted):
        click.echo(f"  {what}: {deleted[what]} deleted")
    click.echo("  certificates: kept")
