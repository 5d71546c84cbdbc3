"""Build a course's package from the version the platform serves, so what a municipality
uploads to its LMS is exactly what learners play here."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.content.models import CourseAsset
from elearn.content.service import CourseEntry, current_course, current_courses

# Packages are deterministic, so one built for (version, hash, format, language, base) can be
# served again; a few dozen keep every course and format of a normal catalogue.
_CACHE: OrderedDict[tuple[int, str, str, str, str], bytes] = OrderedDict()
_CACHE_SIZE = 32


@dataclass(frozen=True)
class Package:
    filename: str
    data: bytes


def version_assets(session: Session, version_id: int) -> dict[str, bytes]:
    rows = session.execute(
        select(CourseAsset.path, CourseAsset.data).where(CourseAsset.version_id == version_id)
    )
    return {path: bytes(data) for path, data in rows}


def build(
    session: Session, course: CourseEntry, fmt: str, lang: str, activity_base: str
) -> Package:
    """Raises scorm_export.ExportError for an unknown format or a language the course lacks."""
    from scorm_export import build_package, package_filename

    key = (course.version_id, course.content_hash, fmt, lang, activity_base)
    data = _CACHE.get(key)
    if data is None:
        assets = version_assets(session, course.version_id)
        data = build_package(course.compiled, assets, fmt, lang, activity_base=activity_base)
        _CACHE[key] = data
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return Package(package_filename(course.id, fmt, lang), data)


def exportable(session: Session, course_id: str | None) -> list[CourseEntry]:
    """One course by id, or every course the platform serves when `course_id` is None."""
    if course_id is None:
        return current_courses(session)
    course = current_course(session, course_id)
    return [course] if course is not None else []
