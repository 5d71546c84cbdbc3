"""The statement store and the outbox that forwards statements to an external LRS.

Statements are append-only rows: the full statement as JSON plus indexed columns for what
queries filter on. An outbox row per statement makes forwarding survive LRS outages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, JSONType, utcnow


class StoredStatement(Base):
    __tablename__ = "elearn_statements"
    __table_args__ = (Index("ix_elearn_statements_registration_stored", "registration", "stored"),)

    # Insertion order: stable paging and "in order" forwarding.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    registration: Mapped[str | None] = mapped_column(String(36), nullable=True)
    actor_key: Mapped[str] = mapped_column(String(255), index=True)
    verb_id: Mapped[str] = mapped_column(String(255), index=True)
    activity_id: Mapped[str | None] = mapped_column(String(512), index=True, nullable=True)
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime)
    stored: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)


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
