"""`flask elearn validate | import`: check course folders and import them as versions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.config import default_courses_dir
from elearn.content import validate_paths
from elearn.content.scaffold import ScaffoldError, new_course
from elearn.content.service import INVALID, ImportResult, import_all
from elearn.signals import course_imported
from elearn.state import elearn_state

cli = AppGroup("content", help="Course folders: create, validate and import.")


@cli.command("validate", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(paths: tuple[Path, ...], strict: bool) -> None:
    """Check course folders (default: every course in ELEARN_COURSES_DIR or ./courses)."""
    targets = list(paths) or [Path(default_courses_dir())]
    missing = [p for p in targets if not p.exists()]
    for p in missing:
        click.echo(f"{p}: no such file or folder", err=True)
    results = validate_paths([p for p in targets if p.exists()])
    errors = warnings = 0
    for result in results:
        for problem in result.problems:
            click.echo(str(problem), err=problem.is_error)
            errors += problem.is_error
            warnings += not problem.is_error
    passed = sum(r.tests_passed for r in results)
    failed = sum(r.tests_failed for r in results)
    click.echo(
        f"{len(results)} course(s) checked: {errors} error(s), {warnings} warning(s); "
        f"course tests: {passed} passed, {failed} failed."
    )
    if missing or errors or (strict and warnings) or not results:
        if not results and not missing:
            click.echo("No course found (a course is a folder with a course.yaml).", err=True)
        sys.exit(1)


def import_courses(root: Path) -> list[ImportResult]:
    """Import every course under root, announcing each new current version to the other rooms."""
    state = elearn_state()
    session = state.session_factory()
    try:
        results = import_all(session, root)
    finally:
        session.close()
    for r in results:
        if r.status != INVALID:
            course_imported.send(state, course_id=r.course_id, version_id=r.version_id)
    return results


def _still_in_use(result: ImportResult) -> str:
    """What learners get instead of the refused course: the version in use, or nothing yet."""
    if result.in_use is not None:
        return f"version {result.in_use} stays in use"
    return "and it was never imported, so learners cannot take it yet"


@cli.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def import_command(path: Path | None) -> None:
    """Import courses as new versions; an invalid course keeps the version in use."""
    root = path or Path(current_app.config["ELEARN_COURSES_DIR"])
    results = import_courses(root)
    failed = 0
    for r in results:
        if r.status == INVALID:
            failed += 1
            click.echo(f"{r.course_dir}: not imported, {_still_in_use(r)}:", err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
        else:
            click.echo(f"{r.course_id}: {r.status} (version {r.version_id})")
    if not results:
        click.echo(f"No course found in {root}.", err=True)
    if failed or not results:
        sys.exit(1)


@cli.command("new", with_appcontext=False)
@click.argument("course_id")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to make the course in (default: ELEARN_COURSES_DIR or ./courses).",
)
def new_command(course_id: str, parent: Path | None) -> None:
    """Make a new course folder COURSE_ID that validates: one scenario with a decision, endings,
    facilitator notes, a help list and course tests, in nb, nn and en. Never overwrites."""
    try:
        files = new_course(course_id, parent or Path(default_courses_dir()))
    except (ScaffoldError, OSError) as exc:
        click.echo(f"elearn new: {exc}", err=True)
        sys.exit(1)
    for path in files:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit the texts, then run `flask elearn validate {files[0].parent}`")
