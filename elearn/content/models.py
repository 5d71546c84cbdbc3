"""Courses as immutable versions: an attempt keeps the version it started on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import Base, JSONType, utcnow


class Course(Base):
    __tablename__ = "elearn_courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("elearn_course_versions.id"), nullable=True
    )
    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], lazy="joined"
    )


class CourseVersion(Base):
    __tablename__ = "elearn_course_versions"
    __table_args__ = (UniqueConstraint("course_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    compiled: Mapped[dict[str, Any]] = mapped_column(JSONType)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CourseAsset(Base):
    __tablename__ = "elearn_course_assets"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("elearn_course_versions.id"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
