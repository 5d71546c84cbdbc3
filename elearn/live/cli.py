"""`flask elearn live-expire`: end idle live sessions and forget their phones (run from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from elearn.state import elearn_state

cli = AppGroup("live", help="Live facilitated sessions.")


@cli.command("live-expire")
def expire_command() -> None:
    """End sessions idle for ELEARN_LIVE_IDLE_MINUTES; drop the phone hashes of old ones.

    Pages do the same as they are used; this is for sessions nobody opens again."""
    state = elearn_state()
    session = state.session_factory()
    try:
        ended = state.services["live"].expire_idle(session)
    finally:
        session.close()
    click.echo(f"Live sessions ended for inactivity: {ended}")
