"""The tracking room's part of retention: statements stored before the cutoff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.tracking.models import StoredStatement
from elearn.tracking.store import delete_statements

BATCH = 1000  # statements read into memory at a time (their bodies give their key rows)


def on_retention_due(
    sender: Any, session: Session, cutoff: dt.datetime, deleted: dict[str, int], **_: Any
) -> None:
    total = 0
    while True:
        seqs = list(
            session.scalars(
                select(StoredStatement.seq)
                .where(StoredStatement.stored < cutoff)
                .order_by(StoredStatement.seq)
                .limit(BATCH)
            )
        )
        if not seqs:
            break
        total += delete_statements(session, StoredStatement.seq.in_(seqs))
    deleted["statements"] = deleted.get("statements", 0) + total
