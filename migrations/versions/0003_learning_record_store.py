"""learning record store: statement keys, clients, documents, attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elearn_lrs_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["elearn_organisations.id"],
            name=op.f("fk_elearn_lrs_clients_organisation_id_elearn_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_lrs_clients")),
        sa.UniqueConstraint("key", name=op.f("uq_elearn_lrs_clients_key")),
    )
    with op.batch_alter_table("elearn_lrs_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_lrs_clients_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "elearn_lrs_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scope_hash", sa.String(length=64), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=True),
        sa.Column("agent_key", sa.String(length=255), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["elearn_organisations.id"],
            name=op.f("fk_elearn_lrs_documents_organisation_id_elearn_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elearn_lrs_documents")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_elearn_lrs_documents_key_hash")),
    )
    with op.batch_alter_table("elearn_lrs_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elearn_lrs_documents_agent_key"), ["agent_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_elearn_lrs_documents_scope_hash"), ["scope_hash"], unique=False
        )

    op.create_table(
        "elearn_lrs_attachments",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_elearn_lrs_attachments")),
    )

    with op.batch_alter_table("elearn_statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_ref", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_elearn_statements_client_id_elearn_lrs_clients"),
            "elearn_lrs_clients",
            ["client_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_elearn_statements_organisation_id_elearn_organisations"),
            "elearn_organisations",
            ["organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        # Queries now go through elearn_statement_keys; these only cost writes.
        batch_op.drop_index("ix_elearn_statements_verb_id")
        batch_op.drop_index("ix_elearn_statements_actor_key")
        batch_op.drop_index("ix_elearn_statements_registration_stored")
        batch_op.drop_index("ix_elearn_statements_activity_id")
        batch_op.drop_index("ix_elearn_statements_stored")
        batch_op.create_index("ix_elearn_statements_stored_seq", ["stored", "seq"], unique=False)
        batch_op.create_index(
            "ix_elearn_statements_org_stored_seq",
            ["organisation_id", "stored", "seq"],
            unique=False,
            postgresql_where=sa.text("organisation_id IS NOT NULL"),
            sqlite_where=sa.text("organisation_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_elearn_statements_client_stored_seq", ["client_id", "stored", "seq"], unique=False
        )
        batch_op.create_index(
            "ix_elearn_statements_object_ref",
            ["object_ref"],
            unique=False,
            postgresql_where=sa.text("object_ref IS NOT NULL"),
            sqlite_where=sa.text("object_ref IS NOT NULL"),
        )

    op.create_table(
        "elearn_statement_keys",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", "stored", "seq", name="pk_elearn_statement_keys"),
    )
    _backfill_keys()


def _backfill_keys() -> None:
    """Statements stored before this revision get their keys, so the LRS finds them too."""
    # Here, not at the top: only this data step needs app code, and only when it runs.
    from elearn.tracking.keys import statement_keys

    conn = op.get_bind()
    statements = sa.table(
        "elearn_statements", sa.column("seq"), sa.column("stored"), sa.column("body", sa.JSON())
    )
    keys = sa.table(
        "elearn_statement_keys",
        sa.column("seq"),
        sa.column("kind"),
        sa.column("key"),
        sa.column("stored"),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(statements.c.seq, statements.c.stored, statements.c.body)
            .where(statements.c.seq > last)
            .order_by(statements.c.seq)
            .limit(1000)
        ).all()
        if not rows:
            break
        values = [
            {"seq": seq, "kind": kind, "key": key, "stored": stored}
            for seq, stored, body in rows
            for kind, key in statement_keys(body)
        ]
        if values:
            conn.execute(keys.insert(), values)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("elearn_statement_keys")
    with op.batch_alter_table("elearn_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_elearn_statements_object_ref")
        batch_op.drop_index("ix_elearn_statements_client_stored_seq")
        batch_op.drop_index("ix_elearn_statements_org_stored_seq")
        batch_op.drop_index("ix_elearn_statements_stored_seq")
        batch_op.create_index(batch_op.f("ix_elearn_statements_stored"), ["stored"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_elearn_statements_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_elearn_statements_verb_id"), ["verb_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_elearn_statements_actor_key"), ["actor_key"], unique=False
        )
        batch_op.create_index(
            "ix_elearn_statements_registration_stored", ["registration", "stored"], unique=False
        )
        batch_op.drop_constraint(
            batch_op.f("fk_elearn_statements_organisation_id_elearn_organisations"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_elearn_statements_client_id_elearn_lrs_clients"), type_="foreignkey"
        )
        batch_op.drop_column("organisation_id")
        batch_op.drop_column("client_id")
        batch_op.drop_column("object_ref")
    op.drop_table("elearn_lrs_attachments")
    with op.batch_alter_table("elearn_lrs_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_lrs_documents_scope_hash"))
        batch_op.drop_index(batch_op.f("ix_elearn_lrs_documents_agent_key"))
    op.drop_table("elearn_lrs_documents")
    with op.batch_alter_table("elearn_lrs_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elearn_lrs_clients_organisation_id"))
    op.drop_table("elearn_lrs_clients")
