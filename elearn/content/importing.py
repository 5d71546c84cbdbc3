"""Importing course folders into the database, announced to the other rooms: what
`flask elearn import` and `demo` do. Apart from content/cli.py so that `validate`, `new` and
`translations` start without SQLAlchemy (bench/cli_start.py)."""

from __future__ import annotations

from pathlib import Path

from elearn.content.service import INVALID, ImportResult, import_all
from elearn.signals import course_imported
from elearn.state import elearn_state


def import_courses(root: Path) -> list[ImportResult]:
    """Import every course under root, announcing each new current version to the other rooms."""
    state = elearn_state()
    session = state.session_factory()
    try:
        results = import_all(session, root)
    finally:
        session.close()
    for r in results:
        if r.status != INVALID:
            course_imported.send(state, course_id=r.course_id, version_id=r.version_id)
    return results
