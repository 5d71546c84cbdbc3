"""What elearn keeps per Flask app, in `app.extensions["elearn"]`: never in module globals, so
two apps in one process (a host and its tests, or two mounts) never share state or caches.

Each room puts its own per-app objects in `services` when its blueprint is registered, under
the room's name; the rooms read them back through `elearn_state()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class AdminSection:
    """A page a room adds to the admin home, for the roles that may use it."""

    endpoint: str  # e.g. "elearn.export.admin_exports"
    label: str  # a message (its msgid), translated where it is shown
    roles: tuple[str, ...]


@dataclass
class ElearnState:
    engine: Engine
    session_factory: sessionmaker[Session]
    url_prefix: str
    admin_sections: list[AdminSection] = field(default_factory=list)
    services: dict[str, Any] = field(default_factory=dict)

    def add_admin_section(self, section: AdminSection) -> None:
        if all(s.endpoint != section.endpoint for s in self.admin_sections):
            self.admin_sections.append(section)


def elearn_state(app: Flask | None = None) -> ElearnState:
    return (app or current_app).extensions["elearn"]
