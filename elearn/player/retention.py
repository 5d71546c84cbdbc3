"""The player's part of retention: attempts nobody has touched since the cutoff (their
statements go by tracking's own rule; a certificate made from one keeps its copy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from elearn.player.models import Attempt


def on_retention_due(
    sender: Any, session: Session, cutoff: dt.datetime, deleted: dict[str, int], **_: Any
) -> None:
    result = session.execute(
        delete(Attempt)
        .where(Attempt.updated_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    deleted["attempts"] = deleted.get("attempts", 0) + (result.rowcount or 0)
