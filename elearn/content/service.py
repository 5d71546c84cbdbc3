"""Importing courses as immutable versions, and reading them back (cached: they never change)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.cache import LruCache
from elearn.content import LoadedCourse, load_course, validate_paths
from elearn.content.compiler import UnsupportedFormat, upgrade
from elearn.content.models import Course, CourseAsset, CourseVersion
from elearn.content.problems import Problem

IMPORTED, UNCHANGED, INVALID = "imported", "unchanged", "invalid"


@dataclass
class ImportResult:
    course_dir: Path
    status: str
    course_id: str | None = None
    version_id: int | None = None
    problems: list[Problem] = field(default_factory=list)
    in_use: int | None = None  # an invalid course: the version learners still get, if any


def _invalid(session: Session, loaded: LoadedCourse) -> ImportResult:
    """An invalid course's result, saying which version (if any) stays in use: a course never
    imported has none, and must not be described as if it had."""
    course = session.get(Course, loaded.course_id) if loaded.course_id else None
    in_use = course.current_version_id if course is not None else None
    return ImportResult(loaded.course_dir, INVALID, loaded.course_id, None, loaded.problems, in_use)


def import_course(session: Session, course_dir: Path) -> ImportResult:
    """Validate and import one course folder. An invalid course changes nothing in the database."""
    loaded = load_course(course_dir)
    if not loaded.ok or loaded.compiled is None or loaded.content_hash is None:
        return _invalid(session, loaded)
    return _store(session, loaded)


def _store(session: Session, loaded: LoadedCourse) -> ImportResult:
    compiled = loaded.compiled
    assert compiled is not None and loaded.content_hash is not None
    course_id = compiled["id"]
    existing = session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.content_hash == loaded.content_hash
        )
    )
    status = UNCHANGED
    if existing is None:
        try:
            with session.begin_nested():
                existing = CourseVersion(
                    course_id=course_id, content_hash=loaded.content_hash, compiled=compiled
                )
                session.add(existing)
                session.flush()
                for path, data in sorted(loaded.assets.items()):
                    ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    session.add(
                        CourseAsset(
                            version_id=existing.id, path=path, content_type=ctype, data=data
                        )
                    )
                session.flush()
            status = IMPORTED
        except IntegrityError:  # a concurrent import stored the same version first
            existing = session.scalar(
                select(CourseVersion).where(
                    CourseVersion.course_id == course_id,
                    CourseVersion.content_hash == loaded.content_hash,
                )
            )
            assert existing is not None
    course = session.get(Course, course_id)
    if course is None:
        course = Course(id=course_id)
        session.add(course)
    if course.current_version_id != existing.id:
        course.current_version_id = existing.id
        status = IMPORTED
    session.flush()
    return ImportResult(loaded.course_dir, status, course_id, existing.id, problems=loaded.problems)


def import_all(session: Session, root: Path) -> list[ImportResult]:
    """Import every course under root; each valid course is committed on its own. Courses are
    all checked first, so two folders with one course id are both refused (E030)."""
    results = []
    for loaded in validate_paths([Path(root)]):
        if not loaded.ok or loaded.compiled is None or loaded.content_hash is None:
            session.rollback()
            results.append(_invalid(session, loaded))
            continue
        results.append(_store(session, loaded))
        session.commit()
    return results


@dataclass(frozen=True)
class CourseEntry:
    """A course as the catalogue sees it: its current version's compiled form."""

    version_id: int
    content_hash: str
    compiled: dict[str, Any]

    @property
    def id(self) -> str:
        return self.compiled["id"]


class UnplayableVersion(LookupError):
    """A stored version compiled in a format this elearn cannot read; the message says which
    version of which course, and what to do."""


def _playable(version: CourseVersion) -> CourseEntry:
    """The entry for a stored version, its compiled form brought to the current format (in
    memory: stored versions are never rewritten)."""
    try:
        compiled = upgrade(version.compiled)
    except UnsupportedFormat as exc:
        raise UnplayableVersion(
            f"version {version.id} of course '{version.course_id}' cannot be played: {exc}"
        ) from exc
    return CourseEntry(version.id, version.content_hash, compiled)


class CourseVersions:
    """Reads course versions, caching their compiled form. Versions are immutable, and the key
    includes the hash, so the cache stays right even if ids are ever reused. One per app."""

    def __init__(self, cache_size: int = 512):
        self._cache: LruCache[CourseEntry] = LruCache(cache_size)

    def version(self, session: Session, version_id: int) -> CourseEntry:
        """A stored version, upgraded from an older compiled format when needed; raises
        LookupError when there is none, UnplayableVersion when it cannot be read."""
        content_hash = session.scalar(
            select(CourseVersion.content_hash).where(CourseVersion.id == version_id)
        )
        if content_hash is None:
            raise LookupError(version_id)

        def load() -> CourseEntry:
            version = session.get(CourseVersion, version_id)
            assert version is not None
            return _playable(version)

        return self._cache.get_or_make((version_id, content_hash), load)

    def current(self, session: Session, course_id: str) -> CourseEntry | None:
        vid = session.scalar(select(Course.current_version_id).where(Course.id == course_id))
        return self.version(session, vid) if vid is not None else None

    def all_current(self, session: Session) -> list[CourseEntry]:
        rows = session.execute(
            select(Course.current_version_id)
            .where(Course.current_version_id.is_not(None))
            .order_by(Course.id)
        ).scalars()
        return [self.version(session, vid) for vid in rows]


def asset(session: Session, version_id: int, path: str) -> CourseAsset | None:
    return session.get(CourseAsset, (version_id, path))
