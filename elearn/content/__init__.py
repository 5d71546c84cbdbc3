"""Course validation and compilation: one course folder in, a compiled form and problems out.

`load_course` never raises for bad input: every YAML, file or content problem becomes a
`Problem`, and all of them are found in one run (a broken scenario file does not hide the
problems of the others), because authors fix courses faster from a complete list.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from elearn.content.compiler import compile_course, compile_scenario
from elearn.content.graph import Structure, check_structure, explore, remaining
from elearn.content.loader import Document, display_path, load_yaml_file
from elearn.content.problems import Problem
from elearn.content.schema import course_languages, validate_course, validate_scenario
from elearn.core.hashing import content_hash

__all__ = ["LoadedCourse", "Problem", "discover_courses", "load_course", "validate_paths"]

COURSE_FILE = "course.yaml"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".svg")
MAX_IMAGE_BYTES = 1024 * 1024


@dataclass
class LoadedCourse:
    """The result of checking one course folder."""

    course_dir: Path
    compiled: dict | None  # None when there is any error (E-code)
    problems: list[Problem]  # sorted by (file, line, column); errors and warnings
    content_hash: str | None  # sha256, see compiler.content_hash
    assets: dict[str, bytes] = field(default_factory=dict)  # image bytes keyed by their src

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class _Scenario:
    doc: Document
    structure: Structure
    compiled: dict[str, Any] | None = None  # set once explored without errors


def _inside(course_dir: Path, rel: str) -> tuple[Path | None, str, str]:
    """Resolve a path written in a course file, refusing anything outside the course folder
    (also through symbolic links). Returns (path, message, hint); path None when refused."""
    if "\0" in rel or "\\" in rel or rel.startswith("/") or re.match(r"[A-Za-z]:", rel):
        return (
            None,
            f"{rel!r} is not a relative path inside the course folder",
            "write it relative to the course folder, with '/', e.g. images/office.svg",
        )
    parts = rel.split("/")
    if ".." in parts:
        return (
            None,
            f"{rel!r} leads out of the course folder",
            "course files must be inside the course folder; copy the file there",
        )
    if any(part in ("", ".") for part in parts):
        simple = "/".join(p for p in parts if p not in ("", "."))
        return None, f"{rel!r} is not a simple path", f"write it as '{simple}'"
    root = course_dir.resolve()
    target = (course_dir / rel).resolve()
    if not target.is_relative_to(root):
        return (
            None,
            f"{rel!r} leads out of the course folder through a symbolic link",
            "replace the link with the file itself",
        )
    return target, "", ""


def _near(folder: Path, name: str, suffixes: tuple[str, ...]) -> str:
    """A hint naming the existing files most like the one that is missing."""
    try:
        files = sorted(
            str(p.relative_to(folder).as_posix())
            for p in folder.rglob("*")
            if p.is_file() and p.suffix.lower() in suffixes
        )
    except OSError:
        files = []
    close = difflib.get_close_matches(name, files, n=3, cutoff=0.4)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    return "check the file name (names are case-sensitive)"


def _images(course_dir: Path, doc: Document, assets: dict[str, bytes]) -> list[Problem]:
    """Check every node image (E004, E051, E012) and read the good ones into `assets`."""
    problems: list[Problem] = []
    nodes = doc.data.get("nodes") if isinstance(doc.data, dict) else None
    for i, node in enumerate(nodes if isinstance(nodes, list) else []):
        image = node.get("image") if isinstance(node, dict) else None
        src = image.get("src") if isinstance(image, dict) else None
        if not isinstance(src, str) or not src.strip():
            continue  # the schema reports it
        path = ("nodes", i, "image", "src")
        target, message, hint = _inside(course_dir, src)
        if target is None:
            problems.append(doc.problem(path, "E004", message, hint))
            continue
        if PurePosixPath(src).suffix.lower() not in IMAGE_EXTENSIONS:
            problems.append(
                doc.problem(
                    path,
                    "E012",
                    f"{src!r} is not an image elearn can show",
                    f"use one of: {', '.join(e.lstrip('.') for e in IMAGE_EXTENSIONS)}",
                )
            )
            continue
        if src in assets:
            continue
        if not target.is_file():
            problems.append(
                doc.problem(
                    path,
                    "E051",
                    f"the image {src!r} does not exist",
                    _near(course_dir, src, IMAGE_EXTENSIONS),
                )
            )
            continue
        try:
            with open(target, "rb") as fh:
                data = fh.read(MAX_IMAGE_BYTES + 1)
        except OSError as exc:
            problems.append(doc.problem(path, "E051", f"the image cannot be read: {exc}"))
            continue
        if len(data) > MAX_IMAGE_BYTES:
            problems.append(
                doc.problem(
                    path,
                    "E012",
                    f"the image {src!r} is larger than 1 MiB",
                    "make it smaller (learners may be on slow connections)",
                )
            )
            continue
        assets[src] = data
    return problems


def _may_score(data: Any) -> bool:
    """Could this (possibly broken) scenario award points? Any positive `points` anywhere."""
    if isinstance(data, dict):
        points = data.get("points")
        if isinstance(points, int) and not isinstance(points, bool) and points > 0:
            return True
        return any(_may_score(v) for v in data.values())
    if isinstance(data, list):
        return any(_may_score(v) for v in data)
    return False


def _scores(
    course_doc: Document, data: dict[str, Any], scenarios: list[_Scenario], complete: bool
) -> list[Problem]:
    """E050 when nothing can be scored; W001 when even the worst path passes."""
    if not scenarios:
        return []
    maxima = [s.compiled["max_score"] for s in scenarios if s.compiled is not None]
    unknown = [s for s in scenarios if s.compiled is None]
    if not complete or any(_may_score(s.doc.data) for s in unknown):
        return []  # the best total is not known, and may be positive
    best = sum(maxima)  # unknown scenarios award no points, so they add at most 0
    where = ("mastery_score",)
    if best <= 0:
        total = f"{best}" if not unknown else f"at most {best}"
        return [
            course_doc.problem(
                where,
                "E050",
                f"no way through the course earns points (best possible total: {total}), "
                "so no learner can pass",
                "give points to the choices you want to reward",
            )
        ]
    mastery = data.get("mastery_score")
    if unknown or not isinstance(mastery, int | float) or isinstance(mastery, bool):
        return []
    worst = max(0, sum(s.compiled["min_score"] for s in scenarios if s.compiled is not None))
    if 0 < mastery <= 1 and worst / best >= mastery:
        return [
            course_doc.problem(
                where,
                "W001",
                f"even the worst way through scores {worst} of {best} ({worst / best:.0%}), "
                f"which passes the mastery score {mastery}: passing tells nothing",
                f"raise mastery_score above {round(worst / best, 2)}, "
                "or give weak choices fewer points",
            )
        ]
    return []


def _duration(course_doc: Document, compiled: dict[str, Any]) -> list[Problem]:
    """W003 when `estimated_minutes` is far from what the text takes to read and decide."""
    from elearn.core.walk import estimate_minutes

    estimate = estimate_minutes(compiled)
    declared = compiled["estimated_minutes"]
    if abs(declared - estimate) <= max(2.0, 0.25 * estimate):
        return []
    return [
        course_doc.problem(
            ("estimated_minutes",),
            "W003",
            f"estimated_minutes is {declared}, but reading the text and making the decisions "
            f"takes about {max(1, round(estimate))} minutes "
            f"(mean over the paths, {compiled['languages'][0]})",
            f"set estimated_minutes to {max(1, round(estimate))}",
        )
    ]


def _load(course_dir: Path) -> LoadedCourse:
    course_path = course_dir / COURSE_FILE
    if not course_path.is_file():
        missing = Problem(
            display_path(course_path),
            0,
            0,
            "E004",
            "",
            "there is no course.yaml in this folder",
            "a course is a folder with a course.yaml and the scenario files it names",
        )
        return LoadedCourse(course_dir, None, [missing], None, {})
    problems: list[Problem] = []
    course_doc = load_yaml_file(course_path)
    problems += course_doc.problems
    if course_doc.ok:
        problems += validate_course(course_doc)
    data = course_doc.data if isinstance(course_doc.data, dict) else {}
    languages = course_languages(data)
    entries = data.get("scenarios") if isinstance(data.get("scenarios"), list) else []

    assets: dict[str, bytes] = {}
    scenarios: list[_Scenario] = []
    complete = course_doc.ok and bool(entries)  # every scenario file was loaded
    files: dict[Path, int] = {}
    ids: dict[str, Document] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, str) or not entry.strip():
            complete = False
            continue  # the schema reports it
        target, message, hint = _inside(course_dir, entry)
        if target is None:
            problems.append(course_doc.problem(("scenarios", i), "E004", message, hint))
            complete = False
            continue
        if target in files:
            problems.append(
                course_doc.problem(
                    ("scenarios", i),
                    "E030",
                    f"the scenario file {entry!r} is listed twice",
                    f"it is already scenarios[{files[target]}]; list each file once",
                )
            )
            continue
        files[target] = i
        if not target.is_file():
            problems.append(
                course_doc.problem(
                    ("scenarios", i),
                    "E004",
                    f"the scenario file {entry!r} does not exist",
                    _near(course_dir, entry, (".yaml", ".yml")),
                )
            )
            complete = False
            continue
        doc = load_yaml_file(course_dir / entry)  # as the author wrote it, for messages
        problems += doc.problems
        if not doc.ok:
            complete = False
            continue
        problems += validate_scenario(doc, languages)
        sid = doc.data.get("id") if isinstance(doc.data, dict) else None
        if isinstance(sid, str):
            if sid in ids:
                problems.append(
                    doc.problem(
                        ("id",),
                        "E030",
                        f"the scenario id '{sid}' is used twice",
                        f"{ids[sid].file} has the same id; give each scenario its own",
                    )
                )
            else:
                ids[sid] = doc
        structure = check_structure(doc)
        problems += structure.problems
        problems += _images(course_dir, doc, assets)
        scenario = _Scenario(doc, structure)
        if structure.sound:
            compiled = compile_scenario(doc.data, structure.asts)
            found = explore(compiled, doc, structure.static_dead)
            problems += found.problems
            if found.max_score is not None and found.min_score is not None:
                compiled["max_score"] = found.max_score
                compiled["min_score"] = found.min_score
                compiled["remaining"] = remaining(compiled)
                scenario.compiled = compiled
        scenarios.append(scenario)
    problems += _scores(course_doc, data, scenarios, complete)

    problems = sorted(
        dict.fromkeys(problems),
        key=lambda p: (p.file, p.line, p.column, p.code, p.path, p.message),
    )
    if any(p.is_error for p in problems) or any(s.compiled is None for s in scenarios):
        return LoadedCourse(course_dir, None, problems, None, assets)
    compiled_course = compile_course(data, [s.compiled for s in scenarios if s.compiled])
    problems += _duration(course_doc, compiled_course)
    return LoadedCourse(
        course_dir, compiled_course, problems, content_hash(compiled_course, assets), assets
    )


def load_course(course_dir: Path) -> LoadedCourse:
    """Check and compile one course folder. Never raises for bad input."""
    course_dir = Path(course_dir)
    try:
        return _load(course_dir)
    except Exception as exc:  # a validator bug must not take the import or the CLI down
        problem = Problem(
            display_path(course_dir / COURSE_FILE),
            0,
            0,
            "E001",
            "",
            f"the course could not be checked ({type(exc).__name__}: {exc})",
            "this is a bug in elearn's validator: please report it with the course files",
        )
        return LoadedCourse(course_dir, None, [problem], None, {})


def discover_courses(root: Path) -> list[Path]:
    """The course folders directly inside `root` (those with a course.yaml), sorted."""
    try:
        return sorted(p for p in Path(root).iterdir() if p.is_dir() and (p / COURSE_FILE).is_file())
    except OSError:
        return []


def validate_paths(paths: list[Path]) -> list[LoadedCourse]:
    """Check each path: a course folder (or its course.yaml), or a folder of course folders."""
    results: list[LoadedCourse] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file() and path.name == COURSE_FILE:
            results.append(load_course(path.parent))
        elif (path / COURSE_FILE).is_file():
            results.append(load_course(path))
        else:
            results.extend(load_course(d) for d in discover_courses(path))
    return results
