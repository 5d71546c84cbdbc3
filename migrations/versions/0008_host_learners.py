"""learners from a host app: the host's stable user id linked to an elearn learner

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_host_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["elearn_users.id"],
            name="fk_elearn_host_links_user_id_elearn_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_elearn_host_links"),
        sa.UniqueConstraint("host_id", name="uq_elearn_host_links_host_id"),
        sa.UniqueConstraint("user_id", name="uq_elearn_host_links_user_id"),
    )


def downgrade() -> None:
    op.drop_table("elearn_host_links")
