"""The statement store and the outbox that forwards statements to an external LRS.

Statements are append-only rows: the full statement as JSON plus a few plain columns. What the
xAPI queries filter on (agent, verb, activity, registration and their "related" variants) lives
in `StatementKey` rows, one per (statement, kind, key), indexed with `stored` so every filter is
an ordered index range: a page costs the same at 1M statements as at 1k. An outbox row per
statement makes forwarding survive LRS outages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import elearn.accounts.models
import elearn.lrs.models  # noqa: F401  (elearn_lrs_clients, referred to below)
from elearn.db import Base, JSONType, utcnow

RESPONSE_LENGTH = 255


class StoredStatement(Base):
    __tablename__ = "elearn_statements"
    __table_args__ = (
        # The unfiltered listing and the scoped listings walk these in (stored, seq) order.
        # Every index costs every write: filters use elearn_statement_keys instead, and the
        # sparse columns get partial indexes.
        Index("ix_elearn_statements_stored_seq", "stored", "seq"),
        Index(
            "ix_elearn_statements_org_stored_seq",
            "organisation_id",
            "stored",
            "seq",
            postgresql_where=text("organisation_id IS NOT NULL"),
            sqlite_where=text("organisation_id IS NOT NULL"),
        ),
        Index("ix_elearn_statements_client_stored_seq", "client_id", "stored", "seq"),
        Index(
            "ix_elearn_statements_object_ref",
            "object_ref",
            postgresql_where=text("object_ref IS NOT NULL"),
            sqlite_where=text("object_ref IS NOT NULL"),
        ),
    )

    # Insertion order: stable paging and "in order" forwarding.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)  # lower-case UUID
    registration: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The actor's inverse functional identifier (cut to 255), for people reading the table.
    actor_key: Mapped[str] = mapped_column(String(255))
    verb_id: Mapped[str] = mapped_column(String(255))
    activity_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime)
    stored: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # True only for a statement that a voiding statement refers to (never for a voiding one).
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # The statement id this one's object refers to (StatementRef), for voiding and filters.
    object_ref: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Who wrote it: an LRS client (None for the platform's own tracking) ...
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_lrs_clients.id", ondelete="SET NULL"), nullable=True
    )
    # ... and the organisation whose clients may read it (None: platform-wide only).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The statement's result.response (cut to RESPONSE_LENGTH), copied out of `body` when it is
    # stored: the choice distribution counts answers by it without reading thousands of JSON
    # bodies (migration 0013 filled it for the statements stored before).
    response: Mapped[str | None] = mapped_column(String(RESPONSE_LENGTH), nullable=True)


class StatementKey(Base):
    """One thing a statement can be found by: (kind, 64-bit hash of the value) plus `stored`.

    Kinds are in `elearn.tracking.keys`. Keeping the hash, not the value, makes every row the
    same small size whatever the IRI's length; a false match needs a 64-bit collision.
    """

    __tablename__ = "elearn_statement_keys"
    # One index, which is also the primary key: a filter is a range of it in (stored, seq)
    # order, and "does statement X have key K" is a point lookup in it. No foreign key (its
    # cascade would need a second index on seq): `delete_statements` removes the rows.
    __table_args__ = (
        PrimaryKeyConstraint("kind", "key", "stored", "seq", name="pk_elearn_statement_keys"),
    )

    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    key: Mapped[int] = mapped_column(BigInteger, nullable=False)
    stored: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class OutboxEntry(Base):
    __tablename__ = "elearn_outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(
        ForeignKey("elearn_statements.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    # Refused for good by the LRS (400/413): kept here with the reason, no longer retried.
    rejected_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ForwarderLease(Base):
    """Only the holder of the lease forwards, so several processes never send out of order."""

    __tablename__ = "elearn_forwarder_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
