"""The one index the reports need on the statement store (migration 0011).

The reports ask "what did these people do in this course": the unit's pseudonyms
(`actor_key`) and the course's activity IRIs are known, so one composite index makes each
person's rows one index range; on PostgreSQL the other columns the reports read are carried in
the index (INCLUDE), so the completion report never touches the table's rows. Declared here,
not in tracking's models, because only this room asks those questions.
"""

from __future__ import annotations

from sqlalchemy import Index, text

from elearn.tracking.models import StoredStatement

REPORT_INDEX = Index(
    "ix_elearn_statements_actor_activity",
    StoredStatement.actor_key,
    StoredStatement.activity_id,
    StoredStatement.verb_id,
    StoredStatement.timestamp,
    postgresql_include=["registration", "voided", "seq"],
)

# The choice distribution reads only statements with a result.response (0013): a partial index
# of those rows carrying the response, so counting first answers reads the index alone.
ANSWER_INDEX = Index(
    "ix_elearn_statements_answers",
    StoredStatement.actor_key,
    StoredStatement.activity_id,
    StoredStatement.timestamp,
    StoredStatement.seq,
    postgresql_include=["verb_id", "voided", "response"],
    postgresql_where=text("response IS NOT NULL"),
    sqlite_where=text("response IS NOT NULL"),
)
