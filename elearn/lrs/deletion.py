"""The LRS room's part of deleting a learner: their state and agent-profile documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from elearn.lrs.models import LrsDocument
from elearn.tracking.deletion import learner_actor_key


def on_user_deleting(sender: Any, session: Session, user: Any, **_: Any) -> None:
    """Receiver of `signals.user_deleting`."""
    key = learner_actor_key(sender.services["tracking"], user.xapi_id)
    session.execute(delete(LrsDocument).where(LrsDocument.agent_key == key[:255]))
