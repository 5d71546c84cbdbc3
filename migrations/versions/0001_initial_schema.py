"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 19:32:16.805057
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "elearn_course_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "compiled", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_course_versions")),
        sa.UniqueConstraint(
            "course_id", "content_hash", name=op.f("uq_elearn_course_versions_course_id")
        ),
    )
    with op.batch_alter_table("elearn_course_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_course_versions_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "elearn_forwarder_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_elearn_forwarder_lease")),
    )
    op.create_table(
        "elearn_statements",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("actor_key", sa.String(length=255), nullable=False),
        sa.Column("verb_id", sa.String(length=255), nullable=False),
        sa.Column("activity_id", sa.String(length=512), nullable=True),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_elearn_statements")),
        sa.UniqueConstraint("id", name=op.f("uq_elearn_statements_id")),
    )
    with op.batch_alter_table("elearn_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_statements_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_elearn_statements_actor_key"), ["actor_key"], unique=False
        )
        batch_op.create_index(
            "ix_elearn_statements_registration_stored", ["registration", "stored"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_elearn_statements_stored"), ["stored"], unique=False)
        batch_op.create_index(batch_op.f("ix_elearn_statements_verb_id"), ["verb_id"], unique=False)

    op.create_table(
        "elearn_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("audience", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("xapi_id", sa.String(length=36), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_users")),
        sa.UniqueConstraint("email", name=op.f("uq_elearn_users_email")),
        sa.UniqueConstraint("xapi_id", name=op.f("uq_elearn_users_xapi_id")),
    )
    op.create_table(
        "elearn_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("course_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_version_id"],
            ["elearn_course_versions.id"],
            name=op.f("fk_elearn_attempts_course_version_id_elearn_course_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["elearn_users.id"],
            name=op.f("fk_elearn_attempts_user_id_elearn_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_attempts")),
        sa.UniqueConstraint("registration", name=op.f("uq_elearn_attempts_registration")),
    )
    with op.batch_alter_table("elearn_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_elearn_attempts_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_elearn_attempts_active",
            ["user_id", "course_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "elearn_course_assets",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["elearn_course_versions.id"],
            name=op.f("fk_elearn_course_assets_version_id_elearn_course_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name=op.f("pk_elearn_course_assets")),
    )
    op.create_table(
        "elearn_courses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["current_version_id"],
            ["elearn_course_versions.id"],
            name=op.f("fk_elearn_courses_current_version_id_elearn_course_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_courses")),
    )
    op.create_table(
        "elearn_outbox",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["elearn_statements.id"],
            name=op.f("fk_elearn_outbox_statement_id_elearn_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_elearn_outbox")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_elearn_outbox_statement_id")),
    )
    with op.batch_alter_table("elearn_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_elearn_outbox_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("elearn_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_outbox_sent_at"))

    op.drop_table("elearn_outbox")
    op.drop_table("elearn_courses")
    op.drop_table("elearn_course_assets")
    with op.batch_alter_table("elearn_attempts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_elearn_attempts_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_elearn_attempts_user_id"))

    op.drop_table("elearn_attempts")
    op.drop_table("elearn_users")
    with op.batch_alter_table("elearn_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_statements_verb_id"))
        batch_op.drop_index(batch_op.f("ix_elearn_statements_stored"))
        batch_op.drop_index("ix_elearn_statements_registration_stored")
        batch_op.drop_index(batch_op.f("ix_elearn_statements_actor_key"))
        batch_op.drop_index(batch_op.f("ix_elearn_statements_activity_id"))

    op.drop_table("elearn_statements")
    op.drop_table("elearn_forwarder_lease")
    with op.batch_alter_table("elearn_course_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_course_versions_course_id"))

    op.drop_table("elearn_course_versions")
