"""Learner accounts: the least personal data that login and tracking need (GDPR).

No name is stored; statements identify a learner by `xapi_id`, a random pseudonym.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from elearn.db import Base, utcnow

USER_ID_PREFIX = "elearn:"

# learner: takes courses. org_admin: runs elearn for one organisation (a municipality): downloads
# packages, sees its own LRS clients. admin: runs the platform (every organisation, LRS clients).
ROLES = ("learner", "org_admin", "admin")


class Organisation(Base):
    """A municipality or other body that runs courses for its staff; scopes admins and clients."""

    __tablename__ = "elearn_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(UserMixin, Base):
    __tablename__ = "elearn_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    audience: Mapped[str] = mapped_column(String(32), default="other")
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="learner", server_default="learner")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    xapi_id: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    # Brute-force protection: wrong passwords in a row, and until when logins are refused.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Part of the id every session cookie carries: raising it (logout, a new password, the
    # account closed) ends every session of this user, on every device, at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def get_id(self) -> str:
        # Prefixed so a host app's flask-login user ids and ours never collide.
        return f"{USER_ID_PREFIX}{self.id}.{self.session_generation}"

    def end_all_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    def has_role(self, *roles: str) -> bool:
        """Admins may do everything an organisation admin may."""
        return self.role in roles or (self.role == "admin" and "org_admin" in roles)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class AccountToken(Base):
    """A link sent by e-mail: reset a password, or finish a registration.

    Only a SHA-256 hash of the token is stored (the token is 256 random bits, so a fast hash is
    enough): a copy of the database opens no account. Used once (`used_at`, set atomically),
    dead after `expires_at`. A pending registration keeps the chosen password's hash here until
    the link is followed; no account exists before that.
    """

    __tablename__ = "elearn_account_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "reset" | "register"
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    audience: Mapped[str | None] = mapped_column(String(32), nullable=True)
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
