"""links sent by e-mail: password reset and finishing a registration (hashed, single-use tokens)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("audience", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["elearn_users.id"],
            name=op.f("fk_elearn_account_tokens_user_id_elearn_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_elearn_account_tokens_token_hash")),
    )
    with op.batch_alter_table("elearn_account_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_account_tokens_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("elearn_account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_account_tokens_user_id"))
    op.drop_table("elearn_account_tokens")
