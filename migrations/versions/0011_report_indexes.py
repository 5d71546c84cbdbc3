"""reports: one index on the statement store for per-person, per-course questions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_elearn_statements_actor_activity",
        "elearn_statements",
        ["actor_key", "activity_id", "verb_id", "timestamp"],
        postgresql_include=["registration", "voided", "seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_elearn_statements_actor_activity", table_name="elearn_statements")
