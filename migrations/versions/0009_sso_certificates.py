"""single sign-on identities (keyed hashes), Feide organisation mappings, course certificates

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_sso_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["elearn_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "subject_hash"),
    )
    op.create_index("ix_elearn_sso_identities_user_id", "elearn_sso_identities", ["user_id"])
    op.create_table(
        "elearn_feide_org_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feide_realm", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("allow_create", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["elearn_organisations.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["elearn_organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["elearn_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feide_realm"),
    )
    op.create_table(
        "elearn_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["elearn_users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["attempt_id"], ["elearn_attempts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["elearn_organisations.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["elearn_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("attempt_id"),
    )
    op.create_index("ix_elearn_certificates_user_id", "elearn_certificates", ["user_id"])
    op.create_index(
        "ix_elearn_certificates_organisation_id", "elearn_certificates", ["organisation_id"]
    )


def downgrade() -> None:
    op.drop_table("elearn_certificates")
    op.drop_table("elearn_feide_org_mappings")
    op.drop_table("elearn_sso_identities")
