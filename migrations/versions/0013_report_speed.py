"""reports: the statements' result.response as a column, filled for the statements stored before

The choice distribution counts first answers by their result.response; reading it out of
thousands of JSON bodies per page was most of the page's time. New statements get the column
from the store (`elearn.tracking.store.response_of`); the ones already stored get it here, in
one UPDATE (the same text, cut to 255 characters). A partial index of the rows with a response,
carrying it, lets the distribution be counted from the index alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BACKFILL = {
    "postgresql": "UPDATE elearn_statements SET response = left(body -> 'result' ->> 'response', 255) "
    "WHERE body -> 'result' ->> 'response' IS NOT NULL",
    "sqlite": "UPDATE elearn_statements "
    "SET response = substr(CAST(json_extract(body, '$.result.response') AS TEXT), 1, 255) "
    "WHERE json_extract(body, '$.result.response') IS NOT NULL",
}


def upgrade() -> None:
    with op.batch_alter_table("elearn_statements") as batch:
        batch.add_column(sa.Column("response", sa.String(length=255), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(BACKFILL.get(dialect, BACKFILL["postgresql"]))
    op.create_index(
        "ix_elearn_statements_answers",
        "elearn_statements",
        ["actor_key", "activity_id", "timestamp", "seq"],
        postgresql_include=["verb_id", "voided", "response"],
        postgresql_where=sa.text("response IS NOT NULL"),
        sqlite_where=sa.text("response IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_elearn_statements_answers", table_name="elearn_statements")
    with op.batch_alter_table("elearn_statements") as batch:
        batch.drop_column("response")
