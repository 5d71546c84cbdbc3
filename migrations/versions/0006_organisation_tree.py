"""organisations as a tree with units; memberships with a role per unit; assignments; audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elearn_organisations") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(length=32), nullable=False, server_default="other")
        )
        batch.add_column(sa.Column("org_number", sa.String(length=9), nullable=True))
        batch.create_foreign_key(
            "fk_elearn_organisations_parent",
            "elearn_organisations",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_elearn_organisations_parent_id", ["parent_id"])
    with op.batch_alter_table("elearn_users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "elearn_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["elearn_users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["elearn_organisations.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "organisation_id"),
    )
    op.create_index("ix_elearn_memberships_user_id", "elearn_memberships", ["user_id"])
    op.create_index(
        "ix_elearn_memberships_organisation_id", "elearn_memberships", ["organisation_id"]
    )
    op.create_table(
        "elearn_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["elearn_organisations.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["elearn_users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["elearn_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_elearn_assignments_course_id", "elearn_assignments", ["course_id"])
    op.create_index(
        "ix_elearn_assignments_organisation_id", "elearn_assignments", ["organisation_id"]
    )
    op.create_index("ix_elearn_assignments_user_id", "elearn_assignments", ["user_id"])
    op.create_table(
        "elearn_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["elearn_users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["elearn_organisations.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["subject_user_id"], ["elearn_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_elearn_audit_log_at", "elearn_audit_log", ["at"])
    op.create_index("ix_elearn_audit_log_actor_id", "elearn_audit_log", ["actor_id"])
    # Everyone who belonged to an organisation keeps that place, now as a membership.
    op.execute(
        "INSERT INTO elearn_memberships (user_id, organisation_id, role, created_at) "
        "SELECT id, organisation_id, "
        "CASE WHEN role = 'org_admin' THEN 'org_admin' ELSE 'learner' END, created_at "
        "FROM elearn_users WHERE organisation_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("elearn_audit_log")
    op.drop_table("elearn_assignments")
    op.drop_table("elearn_memberships")
    with op.batch_alter_table("elearn_users") as batch:
        batch.drop_column("active")
        batch.drop_column("display_name")
    with op.batch_alter_table("elearn_organisations") as batch:
        batch.drop_index("ix_elearn_organisations_parent_id")
        batch.drop_constraint("fk_elearn_organisations_parent", type_="foreignkey")
        batch.drop_column("org_number")
        batch.drop_column("kind")
        batch.drop_column("parent_id")
