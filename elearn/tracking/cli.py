"""`flask elearn forward`: send stored statements to the external LRS."""

from __future__ import annotations

import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.state import elearn_state
from elearn.tracking.forwarder import Forwarder, target_from_config

cli = AppGroup("tracking", help="xAPI tracking and forwarding.")


@cli.command("forward")
@click.option("--once", is_flag=True, help="Send what is due and stop.")
def forward_command(once: bool) -> None:
    """Forward stored statements to the external LRS (ELEARN_LRS_ENDPOINT), in order."""
    target = target_from_config(current_app.config)
    if target is None:
        click.echo("ELEARN_LRS_ENDPOINT is not set: nothing to forward to.", err=True)
        sys.exit(1)
    forwarder = Forwarder(
        elearn_state().session_factory,
        target,
        batch_size=current_app.config["ELEARN_LRS_BATCH_SIZE"],
    )
    if once:
        report = forwarder.run_once()
        click.echo(
            f"sent {report.sent}, waiting {report.waiting}"
            + (f", error: {report.error}" if report.error else "")
        )
        sys.exit(1 if report.failed else 0)
    stop = threading.Event()
    try:
        forwarder.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
