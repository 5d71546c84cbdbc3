"""Who signed in through which provider, and where a Feide organisation belongs in elearn.

No identity number or provider subject is stored as given: `subject_hash` is an HMAC-SHA256
of it under ELEARN_PID_HASH_KEY, enough to recognise the person at the next login and useless
to anyone holding a copy of the database without the key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

import elearn.accounts.models  # noqa: F401  (elearn_users, elearn_organisations, referred to below)
from elearn.db import Base, utcnow


class SsoIdentity(Base):
    """(provider, keyed hash of the person's id there) → the elearn account it signs in."""

    __tablename__ = "elearn_sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    subject_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FeideOrgMapping(Base):
    """A Feide organisation (its realm, e.g. "larvik.kommune.no") → an elearn organisation.

    Set by an org admin. With `organisation_id` empty and `allow_create` on, the first Feide
    login from that realm creates the unit under `parent_id` and fills `organisation_id`.
    """

    __tablename__ = "elearn_feide_org_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feide_realm: Mapped[str] = mapped_column(String(200), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True
    )
    allow_create: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
