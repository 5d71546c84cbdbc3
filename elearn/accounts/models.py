"""Learner accounts: the least personal data that login and tracking need (GDPR).

No name is stored; statements identify a learner by `xapi_id`, a random pseudonym.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from elearn.db import Base, utcnow

USER_ID_PREFIX = "elearn:"

# learner: takes courses. org_admin: runs elearn for one organisation (a municipality): downloads
# packages, sees its own LRS clients. admin: runs the platform (every organisation, LRS clients).
ROLES = ("learner", "org_admin", "admin")

# A person's role in one organisation or unit (Membership.role): a learner works there, a unit
# leader (rektor, leader of a health station) follows and leads its staff's courses, an org admin
# runs elearn for that organisation and every unit under it.
MEMBERSHIP_ROLES = ("learner", "unit_leader", "org_admin")
MEMBERSHIP_SOURCES = ("host", "elearn")

# What an organisation is: the top of a tree (municipality, county, health trust) or a unit in it.
ORGANISATION_KINDS = (
    "municipality",
    "county",
    "health_trust",
    "school",
    "health_station",
    "adult_education",
    "other",
)


class Organisation(Base):
    """A municipality or other body that runs courses for its staff; scopes admins and clients."""

    __tablename__ = "elearn_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The tree: a unit's parent is its municipality (or a larger unit); the top has none.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), default="other", server_default="other")
    # Norway's organisation number (Enhetsregisteret, nine digits); units may have their own.
    org_number: Mapped[str | None] = mapped_column(String(9), nullable=True)


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
    # The name reports and course certificates show (given at invitation or by single sign-on);
    # None for a self-registered learner who never gave one.
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A deactivated person cannot log in; their records stay until they are removed.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    # Read-only view of the person's places (written through accounts.service.add_membership);
    # role checks read it, so `has_role` needs no query of its own beyond this load.
    memberships: Mapped[list[Membership]] = relationship(
        "Membership", viewonly=True, lazy="select", order_by="Membership.id"
    )

    def get_id(self) -> str:
        # Prefixed so a host app's flask-login user ids and ours never collide.
        return f"{USER_ID_PREFIX}{self.id}.{self.session_generation}"

    def end_all_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    def has_role(self, *roles: str) -> bool:
        """The platform admin may do everything; an organisation admin what `org_admin` may (with
        an organisation to act in); a unit leader what `unit_leader` may, for as long as they
        lead some unit (a membership with that role); everyone is a `learner`."""
        if self.role == "admin" or "learner" in roles:
            return True
        if "org_admin" in roles and self.role == "org_admin" and self.organisation_id is not None:
            return True
        return "unit_leader" in roles and any(m.role == "unit_leader" for m in self.memberships)

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


class Membership(Base):
    """A person's place and role in one organisation or unit; a person may have several."""

    __tablename__ = "elearn_memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="learner")
    # Who gave it: "host" (the host app's hook, re-synced on every request) or "elearn" (an
    # admin, an invitation, a join link, single sign-on); the host's sync touches only its own.
    source: Mapped[str] = mapped_column(String(8), default="elearn", server_default="elearn")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(Base):
    """A course given to a unit (everyone in it, now and later) or to one person, by a date."""

    __tablename__ = "elearn_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Who looked at whose report, who exported what: for the platform admin to check (GDPR)."""

    __tablename__ = "elearn_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="SET NULL"), nullable=True
    )
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True
    )
    detail: Mapped[str] = mapped_column(String(500), default="")


class HostLink(Base):
    """A host app's user, by the stable id the host gives (never by e-mail, which changes), and
    the elearn learner made for them: the one row that ties a mounted elearn to the host's
    accounts. Deleted with the learner."""

    __tablename__ = "elearn_host_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class JoinLink(Base):
    """A unit's join link: whoever opens it and signs in joins the unit as a learner. Only the
    token's hash is kept (the link is shown once, when made); revoking it ends it at once."""

    __tablename__ = "elearn_join_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ReminderSent(Base):
    """One reminder mail sent to one person for one assignment in one window (days before the
    due date): the row that makes `flask elearn remind` safe to run as often as one likes."""

    __tablename__ = "elearn_reminders_sent"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", "days_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_assignments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), index=True
    )
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
