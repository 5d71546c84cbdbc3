"""Build a course's package from the version the platform serves, so what a municipality
uploads to its LMS is exactly what learners play here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.cache import LruCache
from elearn.content.models import CourseAsset
from elearn.content.service import CourseEntry, CourseVersions
from scorm_export import build_package, package_filename


@dataclass(frozen=True)
class Package:
    filename: str
    data: bytes


def version_assets(session: Session, version_id: int) -> dict[str, bytes]:
    rows = session.execute(
        select(CourseAsset.path, CourseAsset.data).where(CourseAsset.version_id == version_id)
    )
    return {path: bytes(data) for path, data in rows}


class Packages:
    """Builds packages, keeping recent ones: packages are deterministic, so one built for
    (version, hash, format, language, base) can be served again. One per app."""

    def __init__(self, courses: CourseVersions, activity_base: str, cache_size: int = 32):
        self.courses = courses
        self.activity_base = activity_base
        self._cache: LruCache[bytes] = LruCache(cache_size)

    def build(self, session: Session, course: CourseEntry, fmt: str, lang: str) -> Package:
        """Raises scorm_export.ExportError for an unknown format or a language it lacks."""

        def make() -> bytes:
            assets = version_assets(session, course.version_id)
            return build_package(
                course.compiled, assets, fmt, lang, activity_base=self.activity_base
            )

        key = (course.id, course.version_id, course.content_hash, fmt, lang, self.activity_base)
        return Package(package_filename(course.id, fmt, lang), self._cache.get_or_make(key, make))

    def exportable(self, session: Session, course_id: str | None) -> list[CourseEntry]:
        """One course by id, or every course the platform serves when `course_id` is None."""
        if course_id is None:
            return self.courses.all_current(session)
        course = self.courses.current(session, course_id)
        return [course] if course is not None else []

    def forget_old_versions(self, course_id: str, version_id: int) -> int:
        """A new version is current: the old versions' packages are no longer offered."""
        return self._cache.drop_where(lambda key: key[0] == course_id and key[1] != version_id)


def on_course_imported(sender: Any, course_id: str, version_id: int, **_: Any) -> None:
    """Receiver of `signals.course_imported` (sender: the app's ElearnState)."""
    packages = getattr(sender, "services", {}).get("export")
    if packages is not None:
        packages.forget_old_versions(course_id, version_id)
