"""Shared fixtures for the package tests: courses loaded the way the platform loads them, and
packages built once per session (building is deterministic, so sharing them is safe)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from elearn.content import LoadedCourse, discover_courses, load_course
from scorm_export import FORMATS, build_package

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://example.org/elearn"
SAMPLE = ROOT / "courses" / "sample-course"


def valid_courses() -> list[LoadedCourse]:
    """Every course in courses/ that validates (a course still being written is left out; its
    own tests report it)."""
    loaded = [load_course(d) for d in discover_courses(ROOT / "courses")]
    return [c for c in loaded if c.ok]


@pytest.fixture(scope="session")
def sample() -> LoadedCourse:
    course = load_course(SAMPLE)
    assert course.ok, course.problems
    return course


@pytest.fixture(scope="session")
def packages(sample: LoadedCourse) -> dict[str, bytes]:
    assert sample.compiled is not None
    return {
        fmt: build_package(sample.compiled, sample.assets, fmt, "nb", activity_base=BASE)
        for fmt in FORMATS
    }


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def extract(data: bytes, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(target)
    return target


@pytest.fixture
def chromium(browser: Any) -> Any:
    """Debian's Chromium through Playwright (executable_path): the session's shared browser."""
    return browser
