"""Course validation and compilation: one course folder in, a compiled form and problems out.

`load_course` never raises for bad input: every YAML, file or content problem becomes a
`Problem`, and all of them are found in one run (a broken scenario file does not hide the
problems of the others), because authors fix courses faster from a complete list. The YAML is
loaded into typed objects by the format's one definition (`schema.py`); the story graph is
checked and played (`graph.py`); a course without errors is compiled (`compiler.py`) and linted.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elearn.content import schema
from elearn.content.compiler import compile_course, compile_scenario
from elearn.content.coursetests import run_tests
from elearn.content.graph import Exploration, check_structure, explore, remaining
from elearn.content.lints import ScenarioFile, duration, lint
from elearn.content.loader import Document, display_path, load_yaml_file, not_a_file, path_str
from elearn.content.media import ImageCheck, inside, near
from elearn.content.model import Course, Scenario
from elearn.content.problems import Problem
from elearn.core.hashing import content_hash

__all__ = [
    "LoadedCourse",
    "Problem",
    "ScenarioDraft",
    "discover_courses",
    "load_course",
    "validate_paths",
]

COURSE_FILE = "course.yaml"


@dataclass
class ScenarioDraft:
    """A scenario sound enough to compile and play, even when it has errors such as unreachable
    nodes or dead ends: what the map of an unfinished course draws (elearn/authoring)."""

    file: str
    compiled: dict[str, Any]
    explored: Exploration
    key: str = ""  # what the exploration was computed from (see _explore_key)


@dataclass
class LoadedCourse:
    """The result of checking one course folder."""

    course_dir: Path
    compiled: dict | None  # None when there is any error (E-code)
    problems: list[Problem]  # sorted by (file, line, column); errors and warnings
    content_hash: str | None  # sha256, see elearn.core.hashing.content_hash
    assets: dict[str, bytes] = field(default_factory=dict)  # image bytes keyed by their src
    course_id: str | None = None  # as written, even when the course has errors
    course_id_at: tuple[int, int] = (0, 0)  # (line, column) of the id in course.yaml
    tests_passed: int = 0  # course tests (`tests:` in scenario files) that passed
    tests_failed: int = 0
    drafts: list[ScenarioDraft] = field(default_factory=list)  # every scenario that could be played

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class _Scenario:
    doc: Document
    typed: Scenario
    compiled: dict[str, Any] | None = None  # set once explored without errors
    explored: Exploration | None = None


def _top_level(doc: Document, kind: str, fields: list[str]) -> Problem | None:
    """A file that is not a mapping at all: say what it is instead."""
    if isinstance(doc.data, dict):
        return None
    what = "empty" if doc.data is None else f"{schema.describe(doc.data)}, not a mapping"
    return doc.problem(
        (),
        "E012",
        f"the file is {what}",
        f"a {kind} file is a mapping with fields like {', '.join(fields)}",
    )


def _schema_problems(doc: Document, found: list[tuple[tuple, schema.Issue]]) -> list[Problem]:
    problems = []
    for path, issue in found:
        if issue.code == "E010" and path:  # point at the mapping that lacks the field
            line, column = doc.position(path[:-1])
            problems.append(
                Problem(
                    doc.file,
                    line,
                    column,
                    "E010",
                    path_str(path),
                    f"the required field '{path[-1]}' is missing",
                    issue.hint,
                    doc.where(path),
                )
            )
        else:
            problems.append(
                doc.problem(path, issue.code, issue.message, issue.hint, at_key=issue.at_key)
            )
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


class _CourseCheck:
    """Checks one course folder, file by file, collecting every problem."""

    def __init__(self, course_dir: Path, earlier: LoadedCourse | None = None):
        self.course_dir = course_dir
        # Explorations of an earlier check of this folder, by what they were computed from:
        # the preview checks the folder again after every save, mostly with one file changed.
        self.earlier = {d.key: d.explored for d in (earlier.drafts if earlier else []) if d.key}
        self.problems: list[Problem] = []
        self.images = ImageCheck(course_dir)
        self.scenarios: list[_Scenario] = []
        self.complete = True  # every scenario file was loaded
        self.files: dict[Path, int] = {}
        self.ids: dict[str, Document] = {}
        self.tests_passed = self.tests_failed = 0
        self.drafts: list[ScenarioDraft] = []

    def course_file(self) -> tuple[Document, Course | None]:
        doc = load_yaml_file(self.course_dir / COURSE_FILE)
        self.problems += doc.problems
        if not doc.ok:
            self.complete = False
            return doc, None
        fields = [n for n, f in schema.COURSE.load_fields.items() if f.required]
        top = _top_level(doc, "course", fields)
        if top is not None:
            self.problems.append(top)
            self.complete = False
            return doc, None
        course, found = schema.load(schema.COURSE, doc.data, schema.course_languages(doc.data))
        self.problems += _schema_problems(doc, found)
        if not course.scenarios:
            self.complete = False
        return doc, course

    def scenario_target(self, course_doc: Document, i: int, entry: str | None) -> Path | None:
        """The scenario file `scenarios[i]` names, or None (reported) when it cannot be read."""
        if not entry:
            self.complete = False
            return None  # the schema reports it
        target, message, hint = inside(self.course_dir, entry)
        if target is None:
            self.problems.append(course_doc.problem(("scenarios", i), "E004", message, hint))
            self.complete = False
            return None
        if target in self.files:
            self.problems.append(
                course_doc.problem(
                    ("scenarios", i),
                    "E030",
                    f"the scenario file {entry!r} is listed twice",
                    f"it is already listed on line "
                    f"{course_doc.position(('scenarios', self.files[target]))[0]}; "
                    "list each file once",
                )
            )
            return None
        self.files[target] = i
        why = not_a_file(target)
        if why is not None:
            hint = (
                near(self.course_dir, entry, (".yaml", ".yml"))
                if why == "does not exist"
                else ("a scenario must be a regular YAML file")
            )
            self.problems.append(
                course_doc.problem(
                    ("scenarios", i), "E004", f"the scenario file {entry!r} {why}", hint
                )
            )
            self.complete = False
            return None
        return self.course_dir / entry

    def scenario_file(self, path: Path, languages: tuple[str, ...] | None) -> None:
        doc = load_yaml_file(path)  # as the author wrote it, for messages
        self.problems += doc.problems
        if not doc.ok:
            self.complete = False
            return
        fields = [n for n, f in schema.SCENARIO.load_fields.items() if f.required]
        top = _top_level(doc, "scenario", fields)
        if top is not None:
            self.problems.append(top)
            self.complete = False
            return
        typed, found = schema.load(schema.SCENARIO, doc.data, languages)
        self.problems += _schema_problems(doc, found)
        self.unique_id(doc, typed.id)
        scenario = _Scenario(doc, typed)
        self.scenarios.append(scenario)
        structure = check_structure(doc, typed, sound=not any(i.graph for _, i in found))
        self.problems += structure.problems + self.images.scenario(doc, typed)
        if structure.sound:
            self.play(scenario, compile_scenario(typed, structure.asts), structure.static_dead)

    def unique_id(self, doc: Document, sid: str | None) -> None:
        if sid is None:
            return
        if sid in self.ids:
            self.problems.append(
                doc.problem(
                    ("id",),
                    "E030",
                    f"the scenario id '{sid}' is used twice",
                    f"{self.ids[sid].file} has the same id; give each scenario its own",
                )
            )
        else:
            self.ids[sid] = doc

    def play(self, scenario: _Scenario, compiled: dict[str, Any], static_dead: set[str]) -> None:
        key = _explore_key(compiled, scenario.doc, static_dead)
        found = self.earlier.get(key) or explore(compiled, scenario.doc, static_dead)
        self.problems += found.problems
        self.drafts.append(ScenarioDraft(scenario.doc.file, compiled, found, key))
        if found.max_score is not None and found.min_score is not None:
            compiled["max_score"] = found.max_score
            compiled["min_score"] = found.min_score
            compiled["remaining"] = remaining(compiled)
            scenario.compiled, scenario.explored = compiled, found
            tests = run_tests(scenario.doc, scenario.typed, compiled)
            self.problems += tests.problems
            self.tests_passed += tests.passed
            self.tests_failed += tests.failed

    def scores(self, course_doc: Document, course: Course) -> list[Problem]:
        """E050 when nothing can be scored; W001 when even the worst path passes."""
        if not self.scenarios or not self.complete:
            return []
        done = [s.compiled for s in self.scenarios if s.compiled is not None]
        unknown = [s for s in self.scenarios if s.compiled is None]
        if any(_may_score(s.doc.data) for s in unknown):
            return []  # the best total is not known, and may be positive
        best = sum(s["max_score"] for s in done)  # unknown scenarios award no points
        if best <= 0:
            total = f"{best}" if not unknown else f"at most {best}"
            return [
                course_doc.problem(
                    ("mastery_score",),
                    "E050",
                    f"no way through the course earns points (best possible total: {total}), "
                    "so no learner can pass",
                    "give points to the choices you want to reward",
                )
            ]
        mastery = course.mastery_score
        if unknown or mastery is None:
            return []
        worst = max(0, sum(s["min_score"] for s in done))
        if worst / best < mastery:
            return []
        return [
            course_doc.problem(
                ("mastery_score",),
                "W001",
                f"even the worst way through scores {worst} of {best} ({worst / best:.0%}), "
                f"which passes the mastery score {mastery}: passing tells nothing",
                f"raise mastery_score above {round(worst / best, 2)}, "
                "or give weak choices fewer points",
            )
        ]

    def run(self) -> LoadedCourse:
        course_doc, course = self.course_file()
        languages = schema.course_languages(course_doc.data)
        for i, entry in enumerate(course.scenarios if course is not None else []):
            path = self.scenario_target(course_doc, i, entry)
            if path is not None:
                self.scenario_file(path, languages)
        if course is not None:
            self.problems += self.scores(course_doc, course)
        return self.result(course_doc, course)

    def result(self, course_doc: Document, course: Course | None) -> LoadedCourse:
        loaded = self.loaded(course_doc, course)
        loaded.tests_passed, loaded.tests_failed = self.tests_passed, self.tests_failed
        return loaded

    def loaded(self, course_doc: Document, course: Course | None) -> LoadedCourse:
        problems = _sorted(self.problems)
        course_id = course.id if course is not None else None
        at = course_doc.position(("id",))
        if (
            course is None
            or any(p.is_error for p in problems)
            or any(s.compiled is None for s in self.scenarios)
        ):
            return LoadedCourse(
                self.course_dir,
                None,
                problems,
                None,
                self.images.assets,
                course_id,
                at,
                drafts=self.drafts,
            )
        compiled = compile_course(course, [s.compiled for s in self.scenarios if s.compiled])
        files = [ScenarioFile(s.doc, s.typed, s.compiled, s.explored) for s in self.scenarios]  # type: ignore[arg-type]
        problems += duration(course_doc, compiled, files) + lint(files, compiled)
        assets = self.images.assets
        return LoadedCourse(
            self.course_dir,
            compiled,
            _sorted(problems),
            content_hash(compiled, assets),
            assets,
            course_id,
            at,
            drafts=self.drafts,
        )


def _explore_key(compiled: dict[str, Any], doc: Document, static_dead: set[str]) -> str:
    """Everything `explore` reads: the compiled scenario (before its scores are added), where
    each part is written (its problems carry lines and columns) and the statically dead nodes.
    Equal keys give equal explorations, so an earlier one can stand in for a new walk."""
    digest = hashlib.sha256(doc.file.encode())
    digest.update(json.dumps(compiled, sort_keys=True, default=repr).encode())
    digest.update(repr(sorted(static_dead)).encode())
    digest.update(repr(list(doc.values.items())).encode())
    digest.update(repr(list(doc.keys.items())).encode())
    return digest.hexdigest()


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(
        dict.fromkeys(problems),
        key=lambda p: (p.file, p.line, p.column, p.code, p.path, p.message),
    )


def _whole_folder(course_dir: Path, code: str, message: str, hint: str) -> LoadedCourse:
    problem = Problem(display_path(course_dir / COURSE_FILE), 0, 0, code, "", message, hint)
    return LoadedCourse(course_dir, None, [problem], None, {})


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a course is checked. Loading builds
    hundreds of thousands of small objects (YAML nodes, positions, typed objects) that live
    until the check ends; each allocation burst made the collector rescan all of them, which
    took most of the time on large courses (on the 5,000-node bench course, more than half the time). Nothing here
    makes reference cycles worth collecting early, and the previous state is restored (another
    thread that paused it too is left alone)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_course(course_dir: Path, earlier: LoadedCourse | None = None) -> LoadedCourse:
    """Check and compile one course folder. Never raises for bad input.

    `earlier`, a previous result for the same folder, lets a scenario whose compiled form and
    positions did not change keep its exploration (the costliest check) instead of walking its
    states again: the preview's re-check after a save. The result is the same either way."""
    course_dir = Path(course_dir)
    why = not_a_file(course_dir / COURSE_FILE)
    if why is not None:
        message = (
            "there is no course.yaml in this folder"
            if why == "does not exist"
            else f"course.yaml {why}"
        )
        hint = "a course is a folder with a course.yaml and the scenario files it names"
        return _whole_folder(course_dir, "E004", message, hint)
    try:
        with _no_cyclic_gc():
            return _CourseCheck(course_dir, earlier).run()
    except Exception as exc:  # a validator bug must not take the import or the CLI down
        return _whole_folder(
            course_dir,
            "E001",
            f"the course could not be checked ({type(exc).__name__}: {exc})",
            "this is a bug in elearn's validator: please report it with the course files",
        )


def discover_courses(root: Path) -> list[Path]:
    """The course folders directly inside `root` (those with a course.yaml), sorted."""
    try:
        return sorted(p for p in Path(root).iterdir() if p.is_dir() and (p / COURSE_FILE).is_file())
    except OSError:
        return []


def _same_ids(results: list[LoadedCourse]) -> None:
    """E030 on every course whose id another folder also uses: import would take them for one
    course (the second would replace the first, or be reported "unchanged")."""
    folders: dict[str, list[LoadedCourse]] = {}
    for result in results:
        if result.course_id is not None:
            folders.setdefault(result.course_id, []).append(result)
    for course_id, same in folders.items():
        dirs = sorted({r.course_dir.resolve() for r in same})
        if len(dirs) < 2:
            continue
        for result in same:
            others = [display_path(d) for d in dirs if d != result.course_dir.resolve()]
            problem = Problem(
                display_path(result.course_dir / COURSE_FILE),
                *result.course_id_at,
                "E030",
                "id",
                f"the course id '{course_id}' is also used by {', '.join(others)}",
                "give each course folder its own id",
            )
            result.problems = _sorted([*result.problems, problem])
            result.compiled = result.content_hash = None


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
    _same_ids(results)
    return results
