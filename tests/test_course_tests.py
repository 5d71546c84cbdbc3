"""Course tests (`tests:` in a scenario file) as an author runs them with `flask elearn validate`:
a passing test is counted, a failing one is an error at the test's line that names the path and
what differed, and it fails validate and the import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from elearn.cli import elearn_cli
from elearn.content import load_course
from elearn.content.models import CourseVersion
from tests.conftest import PLAY_COURSE, make_test_app

BEST = """  - name: best path
    path: [intro/listen, talk/consult]
    ending: good-end
    outcome: good
    score: 4
    variables: {trust: 2, told_parents: false}
"""


def course_with_tests(tmp_path: Path, tests: str) -> Path:
    course = tmp_path / "play-course"
    shutil.copytree(PLAY_COURSE, course)
    first = course / "first.yaml"
    first.write_text(first.read_text() + "tests:\n" + tests)
    return course


def line_of(course: Path, text: str) -> int:
    return (course / "first.yaml").read_text().splitlines().index(text) + 1


def validate(course: Path) -> tuple[int, str]:
    result = CliRunner().invoke(elearn_cli, ["validate", str(course)])
    return result.exit_code, result.output


def test_a_passing_test_is_counted_and_validate_succeeds(tmp_path: Path) -> None:
    course = course_with_tests(tmp_path, BEST)
    code, out = validate(course)
    assert code == 0, out
    assert "0 error(s)" in out and "course tests: 1 passed, 0 failed" in out


def test_tests_do_not_change_the_compiled_course(tmp_path: Path) -> None:
    """Adding or changing tests is not a new version of the course for learners."""
    course = course_with_tests(tmp_path, BEST)
    assert load_course(course).content_hash == load_course(PLAY_COURSE).content_hash


def test_a_wrong_expectation_fails_with_expected_and_got_at_its_line(tmp_path: Path) -> None:
    course = course_with_tests(
        tmp_path,
        """  - name: mixed path
    path: [intro/listen, talk/consult]
    outcome: mixed
    score: 5
    variables: {trust: 1, told_parents: 0}
""",
    )
    code, out = validate(course)
    assert code == 1
    line = line_of(course, "    outcome: mixed")
    assert f"first.yaml:{line}:" in out and "E070" in out and "(test 'mixed path')" in out
    assert "outcome: expected mixed, got good" in out
    assert "score: expected 5, got 4" in out
    assert "trust: expected 1, got 2" in out
    assert "told_parents: expected 0, got false" in out  # 0 is not false
    assert "(path: intro/listen → talk/consult)" in out
    assert "course tests: 0 passed, 1 failed" in out


def test_a_wrong_ending_and_an_undeclared_variable(tmp_path: Path) -> None:
    course = course_with_tests(
        tmp_path,
        """  - name: ending
    path: [intro/call-parents, talk/wait-anyway]
    ending: good-ende
    variables: {courage: 1}
""",
    )
    code, out = validate(course)
    assert code == 1
    assert "ending: expected 'good-ende' (there is no such node), got 'poor-end'" in out
    assert "variable 'courage' is not declared in this scenario" in out


@pytest.mark.parametrize(
    ("path", "step", "message", "hint"),
    [
        (
            "[intro/call-parents, talk/wait]",
            1,
            "step 2: choice 'wait' is not offered at node 'talk' on this path: its `if` does not "
            "hold (trust = 0, told_parents = true)",
            "offered here: consult, wait-anyway",
        ),
        (
            "[intro/listen, tlak/consult]",
            1,
            "step 2 'tlak/consult': the path is at node 'talk' here, not 'tlak'",
            "the choices at 'talk' are: consult, wait, wait-anyway",
        ),
        (
            "[intro/lissen, talk/consult]",
            0,
            "step 1: node 'intro' has no choice 'lissen'",
            "did you mean 'intro/listen'?",
        ),
        (
            "[intro/listen, talk/consult, good-end/again]",
            2,
            "step 3 'good-end/again' comes after the path has ended at 'good-end'",
            "remove the steps after the ending",
        ),
    ],
)
def test_a_step_that_cannot_be_taken_is_reported_at_the_step(
    tmp_path: Path, path: str, step: int, message: str, hint: str
) -> None:
    course = course_with_tests(tmp_path, f"  - name: steps\n    path: {path}\n")
    code, out = validate(course)
    assert code == 1
    problem = next(p for p in load_course(course).problems if p.code == "E070")
    assert problem.path == f"tests[0].path[{step}]" and problem.where == "test 'steps'"
    assert problem.line == line_of(course, f"    path: {path}")
    assert message in problem.message and hint in problem.hint
    assert message in out


def test_a_path_that_stops_before_an_ending_fails(tmp_path: Path) -> None:
    course = course_with_tests(tmp_path, "  - name: short\n    path: [intro/listen]\n")
    code, out = validate(course)
    assert code == 1
    assert "the path stops at node 'talk', which is not an ending" in out
    assert "the choices there: consult, wait" in out


def test_a_malformed_step_is_a_format_error(tmp_path: Path) -> None:
    course = course_with_tests(tmp_path, "  - name: typo\n    path: [intro]\n")
    code, out = validate(course)
    assert code == 1
    assert "E012 tests[0].path[0] (test 'typo'): 'intro' is not a step" in out


def test_a_failing_course_test_stops_the_import(db, tmp_path: Path) -> None:
    root = tmp_path / "courses"
    root.mkdir()
    course_with_tests(root, BEST.replace("score: 4", "score: 3"))
    app = make_test_app(db, tmp_path, ELEARN_COURSES_DIR=str(root))
    result = app.test_cli_runner().invoke(elearn_cli, ["import"])
    assert result.exit_code == 1
    assert "E070" in result.output and "score: expected 3, got 4" in result.output
    session = app.extensions["elearn"].session_factory()
    assert session.scalars(select(CourseVersion)).all() == []
    session.close()
