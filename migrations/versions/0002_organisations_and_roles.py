"""organisations and roles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_elearn_organisations_slug")),
    )
    with op.batch_alter_table("elearn_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="learner", nullable=False)
        )
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_elearn_users_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_elearn_users_organisation_id_elearn_organisations"),
            "elearn_organisations",
            ["organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("elearn_users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_elearn_users_organisation_id_elearn_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_elearn_users_organisation_id"))
        batch_op.drop_column("organisation_id")
        batch_op.drop_column("role")
    op.drop_table("elearn_organisations")
