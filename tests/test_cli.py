"""The `flask elearn …` commands as an administrator or course author uses them."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from elearn.cli import elearn_cli
from elearn.content.models import Course, CourseVersion
from tests.conftest import PLAY_COURSE, make_test_app

ROOT = Path(__file__).resolve().parent.parent


def run(app: Flask, *args: str) -> tuple[int, str]:
    runner = app.test_cli_runner()
    result = runner.invoke(elearn_cli, list(args))
    return result.exit_code, result.output


def test_validate_passes_every_course_in_the_repository() -> None:
    result = CliRunner().invoke(elearn_cli, ["validate", "--strict", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_validate_fails_with_file_and_line_for_a_broken_course(tmp_path: Path) -> None:
    course = tmp_path / "broken"
    shutil.copytree(PLAY_COURSE, course)
    text = (course / "first.yaml").read_text().replace("next: poor-end", "next: por-end", 1)
    (course / "first.yaml").write_text(text)
    line = text.splitlines().index("        next: por-end") + 1
    result = CliRunner().invoke(elearn_cli, ["validate", str(course)])
    assert result.exit_code == 1
    assert f"first.yaml:{line}:" in result.output and "E031" in result.output
    assert "poor-end" in result.output  # the hint names the node that was meant


def test_validate_of_a_missing_path_fails() -> None:
    result = CliRunner().invoke(elearn_cli, ["validate", "/nonexistent/course"])
    assert result.exit_code == 1


def test_import_keeps_the_version_in_use_when_the_new_file_is_broken(db, tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(PLAY_COURSE, root / "play-course")
    app = make_test_app(db, tmp_path, ELEARN_COURSES_DIR=str(root))
    code, out = run(app, "import")
    assert code == 0 and "play-course: imported" in out
    code, out = run(app, "import")
    assert code == 0 and "play-course: unchanged" in out

    first = root / "play-course" / "first.yaml"
    first.write_text(first.read_text().replace("start: intro", "start: nowhere"))
    code, out = run(app, "import")
    session = app.extensions["elearn"].session_factory()
    course = session.get(Course, "play-course")
    versions = session.scalars(select(CourseVersion)).all()
    assert len(versions) == 1 and course.current_version_id == versions[0].id
    assert code == 1 and "E031" in out
    assert f"not imported, version {versions[0].id} stays in use" in out
    session.close()
    # The platform still serves the course.
    assert app.test_client().get("/c/play-course").status_code == 200


def test_demo_sets_up_everything_and_prints_a_working_login(db, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path)
    code, out = run(app, "demo")
    assert code == 0, out
    email = out.split("email:")[1].split()[0]
    password = out.split("password:")[1].split()[0]
    client = app.test_client()
    from tests.conftest import csrf_from

    login = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": csrf_from(login), "email": email, "password": password}
    )
    assert response.status_code == 302
    assert "Testkurs" in client.get("/").get_data(as_text=True)  # the demo learner reads bokmål


def test_create_user_refuses_a_short_password(db, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path)
    code, out = run(app, "create-user", "x@example.no", "--password", "short")
    assert code == 1 and "at least 10 characters" in out
    code, out = run(app, "create-user", "x@example.no", "--password", "long enough pw")
    assert code == 0


def test_import_of_a_broken_course_never_imported_says_learners_cannot_take_it(
    db, tmp_path: Path
) -> None:
    root = tmp_path / "courses"
    shutil.copytree(PLAY_COURSE, root / "play-course")
    first = root / "play-course" / "first.yaml"
    first.write_text(first.read_text().replace("start: intro", "start: nowhere"))
    app = make_test_app(db, tmp_path, ELEARN_COURSES_DIR=str(root))
    code, out = run(app, "import")
    assert code == 1 and "E031" in out
    assert "never imported, so learners cannot take it yet" in out
    assert "stays in use" not in out  # there is no version to stay in use


def test_import_and_validate_take_the_same_path_forms(db, tmp_path: Path) -> None:
    """The folder of courses, one course folder, or its course.yaml: what validate accepts,
    import accepts too."""
    root = tmp_path / "courses"
    shutil.copytree(PLAY_COURSE, root / "play-course")
    app = make_test_app(db, tmp_path, ELEARN_COURSES_DIR=str(tmp_path / "elsewhere"))
    forms = [root, root / "play-course", root / "play-course" / "course.yaml"]
    for form in forms:
        code, out = run(app, "validate", str(form))
        assert code == 0 and "1 course(s) checked: 0 error(s)" in out, out
    code, out = run(app, "import", str(forms[1]))
    assert code == 0 and "play-course: imported" in out, out
    for form in (forms[0], forms[2]):
        code, out = run(app, "import", str(form))
        assert code == 0 and "play-course: unchanged" in out, out
