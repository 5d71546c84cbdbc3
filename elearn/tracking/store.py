"""The statement store: the one place statements are written, inside the caller's transaction.

The caller commits: a learner's step and its statements are saved together or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.tracking.models import OutboxEntry, StoredStatement
from elearn.tracking.statements import actor_key


def _parse_ts(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def add_statements(
    session: Session,
    statements: list[dict[str, Any]],
    *,
    authority: dict[str, Any],
    forward: bool,
) -> list[StoredStatement]:
    """Stage statements (and their outbox entries when forwarding is on) in the session."""
    now = utcnow()
    rows = []
    for body in statements:
        body = dict(body)
        body["stored"] = now.isoformat(timespec="milliseconds") + "Z"
        body["authority"] = authority
        obj = body.get("object", {})
        row = StoredStatement(
            id=body["id"],
            registration=body.get("context", {}).get("registration"),
            actor_key=actor_key(body["actor"]),
            verb_id=body["verb"]["id"],
            activity_id=obj.get("id") if obj.get("objectType", "Activity") == "Activity" else None,
            timestamp=_parse_ts(body.get("timestamp", body["stored"])),
            stored=now,
            body=body,
        )
        session.add(row)
        rows.append(row)
    session.flush()  # assign seq in insertion order before the outbox refers to it
    if forward:
        for row in rows:
            session.add(OutboxEntry(statement_id=row.id))
    return rows
