"""`flask elearn export`: imported courses as LMS packages, for the operator."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from elearn.clitools import reading_session
from elearn.content.service import CourseEntry
from elearn.export.service import Packages
from elearn.state import elearn_state
from scorm_export import FORMATS, ExportError

cli = AppGroup("export", help="LMS packages.")


def _jobs(
    courses: list[CourseEntry], formats: tuple[str, ...], langs: tuple[str, ...], everything: bool
) -> list[tuple[CourseEntry, str, str]]:
    """Every (course, format, language) asked for: by default SCORM 1.2 in the course's first
    language; with --all, every format and language."""
    chosen_formats = formats or (FORMATS if everything else ("scorm12",))
    return [
        (course, fmt, lang)
        for course in courses
        for fmt in chosen_formats
        for lang in (
            langs
            or (course.compiled["languages"] if everything else course.compiled["languages"][:1])
        )
    ]


@cli.command("export")
@click.argument("course_id", required=False)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Package format (repeatable); default scorm12, or every format with --all.",
)
@click.option("--lang", "langs", multiple=True, help="Starting language (repeatable).")
@click.option("--all", "everything", is_flag=True, help="Every course, format and language.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The zip file for one package, or a folder (created) for several.",
)
def export_command(
    course_id: str | None,
    formats: tuple[str, ...],
    langs: tuple[str, ...],
    everything: bool,
    output: Path | None,
) -> None:
    """Export imported courses as LMS packages (SCORM 1.2/2004, cmi5, xAPI, offline HTML)."""
    if not everything and course_id is None:
        click.echo("Name a course to export, or use --all.", err=True)
        sys.exit(2)
    packages: Packages = elearn_state().services["export"]
    with reading_session() as session:
        courses = packages.exportable(session, None if everything and not course_id else course_id)
        if not courses:
            known = ", ".join(c.id for c in packages.exportable(session, None)) or "none imported"
            click.echo(f"No course {course_id!r} (courses: {known}).", err=True)
            sys.exit(1)
        jobs = _jobs(courses, formats, langs, everything)
        single = len(jobs) == 1 and output is not None and output.suffix == ".zip"
        folder = Path(".") if output is None else output
        if not single:
            folder.mkdir(parents=True, exist_ok=True)
        for course, fmt, lang in jobs:
            try:
                package = packages.build(session, course, fmt, lang)
            except ExportError as exc:
                click.echo(f"{course.id} ({fmt}, {lang}): {exc}", err=True)
                sys.exit(1)
            target = output if single and output is not None else folder / package.filename
            target.write_bytes(package.data)
            click.echo(f"{target} ({len(package.data) / 1024:.0f} KB)")
