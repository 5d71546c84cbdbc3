"""`flask elearn preview | graph | paths`: the course author's tools, on a course folder on disk
(never the database)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from elearn.authoring.paths import as_text, explore_paths
from elearn.authoring.preview import CoursePreview
from elearn.authoring.scenario_map import scenario_map, to_svg
from elearn.content import COURSE_FILE, LoadedCourse, load_course
from elearn.i18n import force_locale, gettext, ngettext
from elearn.state import elearn_state

cli = AppGroup("authoring", help="Course authors' tools: preview, maps and paths.")

PREVIEW_HOST = "127.0.0.1"  # the preview has no login: it must never listen beyond this machine
DEFAULT_PORT = 5005
DEFAULT_PREVIEW_URL = f"http://{PREVIEW_HOST}:{DEFAULT_PORT}"


def _course_dir(path: Path) -> Path:
    """A course folder, or its course.yaml (as `validate` accepts): the folder."""
    if path.is_file() and path.name == COURSE_FILE:
        path = path.parent
    if not (path / COURSE_FILE).is_file():
        raise click.BadParameter(f"{path}: no {COURSE_FILE} here (give a course folder)")
    return path


def _report(loaded: LoadedCourse) -> None:
    for problem in loaded.problems:
        click.echo(str(problem), err=problem.is_error)


@cli.command("preview")
@click.argument("course_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port on 127.0.0.1.")
def preview_command(course_dir: Path, port: int) -> None:
    """Play a course folder from disk in the browser, reloading when a file is saved. Nothing
    is imported or stored; only this machine can open it (127.0.0.1)."""
    course_dir = _course_dir(course_dir)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    preview = CoursePreview(course_dir)
    preview.current()  # validated once before the first page is asked for
    preview.watch()
    elearn_state().services["preview"] = preview
    prefix = elearn_state().url_prefix
    click.echo(f"Preview of {course_dir}: http://{PREVIEW_HOST}:{port}{prefix}/preview/")
    click.echo("Stop it with Ctrl+C.")
    # Werkzeug's server directly: Flask refuses app.run() inside a `flask` command.
    run_simple(PREVIEW_HOST, port, app, threaded=True, use_reloader=False)


@cli.command("graph")
@click.argument("course_dir", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--lang", default=None, help="Language of the texts (default: the course's first).")
@click.option(
    "--preview-url",
    default=DEFAULT_PREVIEW_URL,
    show_default=True,
    help="Where `flask elearn preview` runs: each node links to itself there.",
)
def graph_command(course_dir: Path, out_dir: Path, lang: str | None, preview_url: str) -> None:
    """Write each scenario's map: SCENARIO.svg and SCENARIO.html (with the text alternative)."""
    course_dir = _course_dir(course_dir)
    loaded = load_course(course_dir)
    _report(loaded)
    if not loaded.drafts:
        click.echo("No scenario could be drawn: fix the errors above first.", err=True)
        sys.exit(1)
    out_dir.mkdir(parents=True, exist_ok=True)
    lang = lang or (loaded.compiled["languages"][0] if loaded.compiled else "nb")
    base = preview_url.rstrip("/") + elearn_state().url_prefix + "/preview/s"
    with force_locale(lang):
        for draft in loaded.drafts:
            sid = draft.compiled["id"]
            found = scenario_map(draft.compiled, draft.explored, lang)
            svg = to_svg(found, lambda nid, sid=sid: f"{base}/{sid}/n/{nid}")
            (out_dir / f"{sid}.svg").write_text(svg, encoding="utf-8")
            playable = loaded.compiled is not None
            html = render_template(
                "elearn/authoring/map_file.html",
                map=found,
                svg=svg,
                paths=explore_paths(draft.compiled, lang) if playable else None,
                node_url=lambda nid, sid=sid: f"{base}/{sid}/n/{nid}",
                lang=lang,
                _=gettext,
                gettext=gettext,
                ngettext=ngettext,
            )
            (out_dir / f"{sid}.html").write_text(html, encoding="utf-8")
            marks = ""
            if found.unreachable:
                marks += f", unreachable: {', '.join(found.unreachable)}"
            if found.dead_ends:
                marks += f", dead ends: {', '.join(found.dead_ends)}"
            click.echo(f"{out_dir / sid}.svg, .html ({len(found.nodes)} nodes{marks})")


@cli.command("paths", with_appcontext=False)
@click.argument("course_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--lang", default=None, help="Language for reading time (default: the first).")
def paths_command(course_dir: Path, lang: str | None) -> None:
    """For each scenario: paths, best and worst, endings, variable ranges, the longest path."""
    loaded = load_course(_course_dir(course_dir))
    if loaded.compiled is None:
        _report(loaded)
        click.echo("The paths can be counted once the course has no errors.", err=True)
        sys.exit(1)
    lang = lang or loaded.compiled["languages"][0]
    for scenario in loaded.compiled["scenarios"]:
        for line in as_text(explore_paths(scenario, lang)):
            click.echo(line)
