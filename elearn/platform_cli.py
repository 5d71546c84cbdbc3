"""`flask elearn upgrade | demo`: the platform-wide commands (elearn.cli offers them beside the
rooms' commands, imported on first use)."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.accounts import service as accounts
from elearn.content.importing import import_courses
from elearn.content.service import INVALID
from elearn.migrate import upgrade_database
from elearn.state import elearn_state

cli = AppGroup("platform", help="The platform: database schema and a demo set-up.")


@cli.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate elearn's tables to the newest schema."""
    upgrade_database(elearn_state().engine)
    click.echo("Database is up to date.")


@cli.command("demo")
@click.option("--email", default="demo@example.org", show_default=True)
def demo_command(email: str) -> None:
    """Set up a ready-to-try platform: migrate, import courses, create a demo learner."""
    state = elearn_state()
    upgrade_database(state.engine)
    for r in import_courses(Path(current_app.config["ELEARN_COURSES_DIR"])):
        if r.status == INVALID:
            click.echo(f"{r.course_dir}: not imported:", err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
        else:
            click.echo(f"Course {r.course_id}: {r.status}")
    session = state.session_factory()
    try:
        user = accounts.find_user(session, email)
        password = secrets.token_urlsafe(9)
        if user is None:
            user = accounts.create_user(session, email, password, "teacher", "nb")
        else:
            user.set_password(password)
        session.commit()
    finally:
        session.close()
    click.echo("")
    click.echo("Demo learner (a new password is made each time this runs):")
    click.echo(f"  email:    {email}")
    click.echo(f"  password: {password}")
