"""Shared fixtures for the package tests: courses loaded the way the platform loads them, and
packages built once per session (building is deterministic, so sharing them is safe)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elearn.content import LoadedCourse, discover_courses, load_course
from scorm_export import FORMATS, build_package
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://example.org/elearn"
SAMPLE = ROOT / "courses" / "sample-course"
HERE = Path(__file__).resolve().parent


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the export browser tests before tests/browser: Playwright's sync API cannot run twice
    at once in one process, and tests/browser keeps its Chromium for the whole session, while
    the `chromium` fixture here is closed at the end of each module."""
    ours = [i for i in items if i.path.parent == HERE and i.path.name.endswith("_browser.py")]
    if not ours:
        return
    rest = [i for i in items if i not in set(ours)]
    first = next((n for n, i in enumerate(rest) if "tests/browser" in i.path.as_posix()), len(rest))
    items[:] = rest[:first] + ours + rest[first:]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (executable_path), as the platform's browser tests."""
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: run `make test`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
