"""A course certificate: what it says is copied in when it is issued, so it stays what the
learner downloaded even after retention deletes the attempt and its statements."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

import elearn.accounts.models
import elearn.player.models  # noqa: F401  (elearn_attempts, referred to below)
from elearn.db import Base, utcnow


class Certificate(Base):
    __tablename__ = "elearn_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The short code of the verification URL (/v/<code>): random, no look-alike characters.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_attempts.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    course_id: Mapped[str] = mapped_column(String(64))
    course_title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(16))  # the course content hash, shortened
    measure: Mapped[str] = mapped_column(String(32), default="")
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issuer: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="SET NULL"), nullable=True
    )
