"""`flask elearn validate | import | translations`: check course folders, import them as versions,
and take their texts out to translators and back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.config import default_courses_dir
from elearn.content import translation_files, validate_paths
from elearn.content.scaffold import ScaffoldError, new_course

if TYPE_CHECKING:
    from elearn.content.service import ImportResult

cli = AppGroup("content", help="Course folders: create, validate, import and translate.")


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


def _still_in_use(result: ImportResult) -> str:
    """What learners get instead of the refused course: the version in use, or nothing yet."""
    if result.in_use is not None:
        return f"version {result.in_use} stays in use"
    return "and it was never imported, so learners cannot take it yet"


@cli.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def import_command(path: Path | None) -> None:
    """Import courses as new versions; an invalid course keeps the version in use."""
    # Here, not at the top: the database code is for `import` only; `validate`, `new` and
    # `translations` start without it (elearn/cli.py, bench/cli_start.py).
    from elearn.content import importing

    root = path or Path(current_app.config["ELEARN_COURSES_DIR"])
    results = importing.import_courses(root)
    failed = 0
    for r in results:
        if r.status == importing.INVALID:
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


@cli.group("translations")
def translations_group() -> None:
    """A course's texts out to translators (XLIFF 2.0 or PO) and back into its YAML files."""


def _list_missing(missing: list[tuple[str, str]]) -> None:
    for lang, unit_id in missing:
        click.echo(f"  missing {lang}: {unit_id}")


@translations_group.command("export", with_appcontext=False)
@click.argument("course_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--format", "fmt", type=click.Choice(["xliff", "po"]), default="xliff")
@click.option(
    "--language",
    "languages",
    multiple=True,
    type=click.Choice(["nn", "en"]),
    help="Target language (repeat; default: nn and en).",
)
def translations_export(
    course_dir: Path, out_dir: Path, fmt: str, languages: tuple[str, ...]
) -> None:
    """Write one file per target language with the bokmål source and each text's context."""
    try:
        result = translation_files.export(course_dir, out_dir, fmt, languages or ("nn", "en"))
    except translation_files.TranslationError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    for path in result.files:
        click.echo(f"wrote {path}")
    missing = [(lang, uid) for lang, ids in result.missing.items() for uid in ids]
    if missing:
        click.echo(f"{len(missing)} text(s) not yet translated:")
        _list_missing(missing)


@translations_group.command("import", with_appcontext=False)
@click.argument("course_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
def translations_import(course_dir: Path, files: tuple[Path, ...]) -> None:
    """Put translated XLIFF or PO files back into the course's YAML files (all or nothing)."""
    try:
        result = translation_files.import_files(course_dir, list(files))
    except translation_files.TranslationError as exc:
        click.echo("Nothing was changed:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    for lang, unit_id in result.changed:
        click.echo(f"  changed {lang}: {unit_id}")
    for lang, unit_id in result.stale:
        click.echo(f"  check {lang}: {unit_id} (the bokmål text changed since the export)")
    if result.missing:
        click.echo(f"{len(result.missing)} text(s) not translated (left as they are):")
        _list_missing(result.missing)
    files_changed = ", ".join(str(p) for p in result.written) or "none"
    click.echo(f"{len(result.changed)} text(s) changed; files written: {files_changed}.")
