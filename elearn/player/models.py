"""An attempt: one learner's run through one course version, one xAPI registration."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, JSONType, utcnow

ACTIVE, COMPLETED, ABANDONED = "active", "completed", "abandoned"


class Attempt(Base):
    __tablename__ = "elearn_attempts"
    __table_args__ = (
        # At most one active attempt per learner and course, even under double submits.
        Index(
            "uq_elearn_attempts_active",
            "user_id",
            "course_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_users.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[str] = mapped_column(String(64))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("elearn_course_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    # {"scenarios": {scenario_id: engine state}, "current": scenario_id | None}
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Bumped by every change; a form carries the step it was rendered at (optimistic lock).
    step: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    score_scaled: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
