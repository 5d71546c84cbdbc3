"""The tracking room's part of a learner's data download (GDPR art. 15 and 20): every
statement about them, found exactly as deletion finds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from elearn.tracking import keys as K
from elearn.tracking.deletion import learner_actor_key
from elearn.tracking.models import StatementKey, StoredStatement
from elearn.tracking.statements import StatementBuilder


def statements_about(
    session: Session, statements: StatementBuilder, xapi_id: str, registrations: Sequence[str]
) -> list[dict[str, Any]]:
    wanted = [K.filter_key(K.RELATED_AGENT, learner_actor_key(statements, xapi_id))]
    wanted += [K.filter_key(K.REGISTRATION, r) for r in registrations]
    seqs = select(StatementKey.seq).where(
        or_(*[(StatementKey.kind == kind) & (StatementKey.key == key) for kind, key in wanted])
    )
    rows = session.scalars(
        select(StoredStatement.body)
        .where(StoredStatement.seq.in_(seqs))
        .order_by(StoredStatement.seq)
    )
    return list(rows)
