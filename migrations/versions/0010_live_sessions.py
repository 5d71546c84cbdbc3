"""live facilitated sessions: the session record, its phones (hashed) and their votes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("course_version_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("projector_lang", sa.String(length=2), nullable=False),
        sa.Column(
            "state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_version_id"],
            ["elearn_course_versions.id"],
            name=op.f("fk_elearn_live_sessions_course_version_id_elearn_course_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["elearn_users.id"],
            name=op.f("fk_elearn_live_sessions_leader_id_elearn_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_live_sessions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_elearn_live_sessions_public_id")),
    )
    with op.batch_alter_table("elearn_live_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_live_sessions_leader_id"), ["leader_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_elearn_live_sessions_unit_id"), ["unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_elearn_live_sessions_updated_at"), ["updated_at"], unique=False
        )
        batch_op.create_index(
            "uq_elearn_live_sessions_code_open",
            ["code"],
            unique=True,
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )

    op.create_table(
        "elearn_live_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("nickname", sa.String(length=40), nullable=True),
        sa.Column("attended_recorded", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["elearn_live_sessions.id"],
            name=op.f("fk_elearn_live_participants_session_id_elearn_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_live_participants")),
        sa.UniqueConstraint(
            "session_id", "phone_hash", name=op.f("uq_elearn_live_participants_session_id")
        ),
    )
    op.create_table(
        "elearn_live_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("choice_id", sa.String(length=64), nullable=False),
        sa.Column("voted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["elearn_live_sessions.id"],
            name=op.f("fk_elearn_live_votes_session_id_elearn_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_live_votes")),
        sa.UniqueConstraint(
            "session_id", "round", "phone_hash", name=op.f("uq_elearn_live_votes_session_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("elearn_live_votes")
    op.drop_table("elearn_live_participants")
    with op.batch_alter_table("elearn_live_sessions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_elearn_live_sessions_code_open",
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )
        batch_op.drop_index(batch_op.f("ix_elearn_live_sessions_updated_at"))
        batch_op.drop_index(batch_op.f("ix_elearn_live_sessions_unit_id"))
        batch_op.drop_index(batch_op.f("ix_elearn_live_sessions_leader_id"))

    op.drop_table("elearn_live_sessions")
