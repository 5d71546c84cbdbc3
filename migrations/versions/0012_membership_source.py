"""memberships say where they came from: the host app's hook or elearn itself

The host's sync on every request replaced all of a host learner's memberships, so one an org
admin added on /admin/users was gone at the learner's next click. Memberships the hook made
before this revision are marked "host" (the users with a host link): they are what the hook
keeps in line.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elearn_memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=8), nullable=False, server_default="elearn")
        )
    op.execute(
        "UPDATE elearn_memberships SET source = 'host' "
        "WHERE user_id IN (SELECT user_id FROM elearn_host_links)"
    )


def downgrade() -> None:
    with op.batch_alter_table("elearn_memberships", schema=None) as batch_op:
        batch_op.drop_column("source")
