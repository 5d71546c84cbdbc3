"""The tracking room's part of deleting a learner (GDPR art. 17): every statement about them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from elearn.tracking import keys as K
from elearn.tracking.models import StatementKey, StoredStatement
from elearn.tracking.statements import StatementBuilder, actor_key
from elearn.tracking.store import delete_statements


def learner_actor_key(statements: StatementBuilder, xapi_id: str) -> str:
    return actor_key(statements.actor(xapi_id).as_version("1.0.3"))


def delete_about(
    session: Session, *, actor_keys: Sequence[str] = (), registrations: Sequence[str] = ()
) -> int:
    """Delete every statement that names one of these agents (actor, object, instructor, team,
    group member) or belongs to one of these registrations."""
    wanted = [K.filter_key(K.RELATED_AGENT, key) for key in actor_keys]
    wanted += [K.filter_key(K.REGISTRATION, r) for r in registrations]
    if not wanted:
        return 0
    seqs = select(StatementKey.seq).where(
        or_(*[(StatementKey.kind == kind) & (StatementKey.key == key) for kind, key in wanted])
    )
    return delete_statements(session, StoredStatement.seq.in_(seqs))


def on_user_deleting(sender: Any, session: Session, user: Any, **_: Any) -> None:
    """Receiver of `signals.user_deleting`: statements found by the learner's pseudonym, so
    none survive even if ELEARN_XAPI_HOMEPAGE has changed since they were recorded (the
    player's receiver deletes those of the learner's registrations)."""
    statements: StatementBuilder = sender.services["tracking"]
    delete_about(session, actor_keys=[learner_actor_key(statements, user.xapi_id)])
