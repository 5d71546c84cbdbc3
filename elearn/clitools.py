"""What every room's CLI group shares: the app's sessions, and operator errors printed, not raised."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from elearn.state import elearn_state


@contextmanager
def committing_session() -> Iterator[Session]:
    """A session committed when the block ends; a ValueError is the operator's mistake: print
    it and exit 1 with nothing written."""
    session = elearn_state().session_factory()
    try:
        yield session
        session.commit()
    except ValueError as exc:
        session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        session.close()


@contextmanager
def reading_session() -> Iterator[Session]:
    session = elearn_state().session_factory()
    try:
        yield session
    finally:
        session.close()
