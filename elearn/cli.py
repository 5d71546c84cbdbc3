"""`flask elearn …` (or the `elearn` console script): the root group. Each room brings its own
group of commands (accounts, authoring, content, export, lrs, tracking); they are offered here
side by side,
as `flask elearn import`, `flask elearn lrs-client create` and so on. The platform-wide ones,
`upgrade` and `demo`, live here."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.accounts import service as accounts
from elearn.accounts.cli import cli as accounts_cli
from elearn.authoring.cli import cli as authoring_cli
from elearn.content.cli import cli as content_cli
from elearn.content.cli import import_courses
from elearn.content.service import INVALID
from elearn.export.cli import cli as export_cli
from elearn.live.cli import cli as live_cli
from elearn.lrs.cli import cli as lrs_cli
from elearn.migrate import upgrade_database
from elearn.organisations.cli import cli as organisations_cli
from elearn.privacy.cli import cli as privacy_cli
from elearn.state import elearn_state
from elearn.tracking.cli import cli as tracking_cli

elearn_cli = AppGroup("elearn", help="elearn: courses, database and tracking.")
ROOM_GROUPS = (
    accounts_cli,
    authoring_cli,
    content_cli,
    export_cli,
    live_cli,
    lrs_cli,
    organisations_cli,
    privacy_cli,
    tracking_cli,
)
for _group in ROOM_GROUPS:
    for _command in _group.commands.values():
        elearn_cli.add_command(_command)


@elearn_cli.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate elearn's tables to the newest schema."""
    upgrade_database(elearn_state().engine)
    click.echo("Database is up to date.")


@elearn_cli.command("demo")
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
