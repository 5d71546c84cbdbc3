"""Tables of the LRS besides statements: client credentials, documents, attachment data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


class LrsClient(Base):
    """HTTP Basic credentials of one xAPI client (an analytics tool, a package, a script).

    The secret is a long random token, so it is stored as a keyed SHA-256 (HMAC with a pepper
    derived from the app's secret key): as safe as a slow password hash for such a secret,
    and fast enough to check on every request.
    """

    __tablename__ = "elearn_lrs_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(255))  # space-separated xAPI scope names
    # None: platform-wide. Otherwise the client reads and writes within that organisation.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class LrsDocument(Base):
    """A state, activity profile or agent profile document.

    `key_hash` identifies the document (kind, organisation, activity, agent, registration, id),
    `scope_hash` the set it belongs to (everything but the id) for listing and bulk delete.
    """

    __tablename__ = "elearn_lrs_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope_hash: Mapped[str] = mapped_column(String(64), index=True)
    doc_id: Mapped[str] = mapped_column(Text)
    activity_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The agent's inverse functional identifier, as `actor_key` renders it: deleting a learner
    # deletes their documents too.
    agent_key: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    registration: Mapped[str | None] = mapped_column(String(36), nullable=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(40))  # SHA-1 of content, as xAPI 1.0.3 says
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LrsAttachment(Base):
    """Raw attachment data, stored once per SHA-2 whatever how many statements use it."""

    __tablename__ = "elearn_lrs_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
