"""`flask elearn …` (or the `elearn` console script): set up, import, validate, forward."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy.orm import Session

elearn_cli = AppGroup("elearn", help="elearn: courses, database and tracking.")


def _state():  # type: ignore[no-untyped-def]
    return current_app.extensions["elearn"]


@contextmanager
def _committing_session() -> Iterator[Session]:
    """A session committed when the block ends; a ValueError is the operator's mistake: print
    it and exit 1 with nothing written."""
    session = _state().session_factory()
    try:
        yield session
        session.commit()
    except ValueError as exc:
        session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        session.close()


def _default_courses_dir() -> Path:
    """The same folder `import` uses (ELEARN_COURSES_DIR, else the project's courses/)."""
    from elearn.config import default_courses_dir

    return Path(default_courses_dir())


@elearn_cli.command("validate", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(paths: tuple[Path, ...], strict: bool) -> None:
    """Check course folders (default: every course in ELEARN_COURSES_DIR or ./courses)."""
    from elearn.content import validate_paths

    targets = list(paths) or [_default_courses_dir()]
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
    courses = len(results)
    click.echo(f"{courses} course(s) checked: {errors} error(s), {warnings} warning(s).")
    if missing or errors or (strict and warnings) or not results:
        if not results and not missing:
            click.echo("No course found (a course is a folder with a course.yaml).", err=True)
        sys.exit(1)


@elearn_cli.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate elearn's tables to the newest schema."""
    from elearn.migrate import upgrade_database

    upgrade_database(_state().engine)
    click.echo("Database is up to date.")


@elearn_cli.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def import_command(path: Path | None) -> None:
    """Import courses as new versions; an invalid course keeps the version in use."""
    from elearn.content.service import INVALID, import_all

    root = path or Path(current_app.config["ELEARN_COURSES_DIR"])
    session = _state().session_factory()
    try:
        results = import_all(session, root)
    finally:
        session.close()
    failed = 0
    for r in results:
        if r.status == INVALID:
            failed += 1
            click.echo(f"{r.course_dir}: not imported, the version in use stays in use:", err=True)
            for p in r.problems:
                click.echo(f"  {p}", err=True)
        else:
            click.echo(f"{r.course_id}: {r.status} (version {r.version_id})")
    if not results:
        click.echo(f"No course found in {root}.", err=True)
    if failed or not results:
        sys.exit(1)


@elearn_cli.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--audience",
    type=click.Choice(["teacher", "school_leader", "health", "adult_education", "other"]),
    default="other",
)
@click.option(
    "--role",
    type=click.Choice(["learner", "org_admin", "admin"]),
    default="learner",
    show_default=True,
    help="org_admin runs one organisation (needs --org); admin runs the platform.",
)
@click.option("--org", "org_slug", help="The organisation (its slug) the user belongs to.")
def create_user_command(
    email: str, password: str, audience: str, role: str, org_slug: str | None
) -> None:
    """Create an account: a learner, an organisation admin or a platform admin."""
    from elearn.accounts import service

    with _committing_session() as session:
        errors = service.registration_errors(session, email, password, audience)
        if errors:
            from elearn.i18n import translate

            raise ValueError(
                "\n".join(f"{field}: {translate(key, 'en')}" for field, key in errors.items())
            )
        org = service.find_organisation(session, org_slug) if org_slug else None
        if org_slug and org is None:
            raise ValueError(f"--org: no organisation {org_slug!r} (create it with create-org)")
        service.set_role(service.create_user(session, email, password, audience), role, org)
    click.echo(f"Created {email} ({role}).")


@elearn_cli.command("create-org")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name, e.g. 'Bergen kommune'.")
def create_org_command(slug: str, name: str) -> None:
    """Create an organisation (a municipality) that admins and LRS clients belong to."""
    from elearn.accounts import service

    with _committing_session() as session:
        service.create_organisation(session, slug, name)
    click.echo(f"Created organisation {slug}.")


@elearn_cli.command("demo")
@click.option("--email", default="demo@example.org", show_default=True)
def demo_command(email: str) -> None:
    """Set up a ready-to-try platform: migrate, import courses, create a demo learner."""
    from elearn.accounts import service
    from elearn.content.service import INVALID, import_all
    from elearn.migrate import upgrade_database

    state = _state()
    upgrade_database(state.engine)
    session = state.session_factory()
    try:
        for r in import_all(session, Path(current_app.config["ELEARN_COURSES_DIR"])):
            if r.status == INVALID:
                click.echo(f"{r.course_dir}: not imported:", err=True)
                for p in r.problems:
                    click.echo(f"  {p}", err=True)
            else:
                click.echo(f"Course {r.course_id}: {r.status}")
        user = service.find_user(session, email)
        password = secrets.token_urlsafe(9)
        if user is None:
            user = service.create_user(session, email, password, "teacher", "nb")
        else:
            user.set_password(password)
        session.commit()
    finally:
        session.close()
    click.echo("")
    click.echo("Demo learner (a new password is made each time this runs):")
    click.echo(f"  email:    {email}")
    click.echo(f"  password: {password}")


@elearn_cli.command("export")
@click.argument("course_id", required=False)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["scorm12", "scorm2004", "cmi5", "xapi", "html"]),
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
    from elearn.export.service import build, exportable
    from scorm_export import FORMATS, ExportError

    if not everything and course_id is None:
        click.echo("Name a course to export, or use --all.", err=True)
        sys.exit(2)
    session = _state().session_factory()
    try:
        courses = exportable(session, None if everything and not course_id else course_id)
        if not courses:
            known = ", ".join(c.id for c in exportable(session, None)) or "none imported"
            click.echo(f"No course {course_id!r} (courses: {known}).", err=True)
            sys.exit(1)
        jobs = [
            (course, fmt, lang)
            for course in courses
            for fmt in (formats or (FORMATS if everything else ("scorm12",)))
            for lang in (
                langs
                or (
                    course.compiled["languages"] if everything else course.compiled["languages"][:1]
                )
            )
        ]
        single = len(jobs) == 1 and output is not None and output.suffix == ".zip"
        folder = Path(".") if output is None else output
        if not single:
            folder.mkdir(parents=True, exist_ok=True)
        base = current_app.config["ELEARN_XAPI_BASE_IRI"]
        for course, fmt, lang in jobs:
            try:
                package = build(session, course, fmt, lang, base)
            except ExportError as exc:
                click.echo(f"{course.id} ({fmt}, {lang}): {exc}", err=True)
                sys.exit(1)
            target = output if single and output is not None else folder / package.filename
            target.write_bytes(package.data)
            click.echo(f"{target} ({len(package.data) / 1024:.0f} KB)")
    finally:
        session.close()


@elearn_cli.command("forward")
@click.option("--once", is_flag=True, help="Send what is due and stop.")
def forward_command(once: bool) -> None:
    """Forward stored statements to the external LRS (ELEARN_LRS_ENDPOINT), in order."""
    import threading

    from elearn.tracking.forwarder import Forwarder, target_from_config

    target = target_from_config(current_app.config)
    if target is None:
        click.echo("ELEARN_LRS_ENDPOINT is not set: nothing to forward to.", err=True)
        sys.exit(1)
    forwarder = Forwarder(
        _state().session_factory, target, batch_size=current_app.config["ELEARN_LRS_BATCH_SIZE"]
    )
    if once:
        report = forwarder.run_once()
        click.echo(
            f"sent {report.sent}, waiting {report.waiting}"
            + (f", error: {report.error}" if report.error else "")
        )
        sys.exit(1 if report.failed else 0)
    stop = threading.Event()
    try:
        forwarder.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@elearn_cli.group("lrs-client")
def lrs_client_group() -> None:
    """Credentials for xAPI clients of elearn's LRS (<prefix>/xapi/)."""


@lrs_client_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="An xAPI scope (repeatable): statements/write, statements/read, statements/read/mine, "
    "state, profile, define, all/read, all. Default: statements/write statements/read/mine.",
)
@click.option("--org", "org_slug", help="Limit the client to this organisation's data.")
def lrs_client_create(name: str, scopes: tuple[str, ...], org_slug: str | None) -> None:
    """Create a client; its secret is shown this once and stored only as a hash."""
    from elearn.accounts import service
    from elearn.lrs.auth import create_client

    session = _state().session_factory()
    try:
        org = service.find_organisation(session, org_slug) if org_slug else None
        if org_slug and org is None:
            click.echo(f"--org: no organisation {org_slug!r}", err=True)
            sys.exit(1)
        try:
            client, secret = create_client(
                session, name, scopes, current_app.config["SECRET_KEY"], org.id if org else None
            )
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        session.commit()
        click.echo(f"Created LRS client {client.name!r} ({client.scopes}).")
        click.echo(f"  key:    {client.key}")
        click.echo(f"  secret: {secret}")
        click.echo("The secret is not shown again; store it now.")
    finally:
        session.close()


@lrs_client_group.command("list")
def lrs_client_list() -> None:
    """List clients: key, name, scopes, organisation, created, revoked."""
    from elearn.accounts.models import Organisation
    from elearn.lrs.auth import list_clients

    session = _state().session_factory()
    try:
        orgs = {o.id: o.slug for o in session.query(Organisation)}
        for c in list_clients(session):
            state = f"revoked {c.revoked_at:%Y-%m-%d %H:%M}" if c.revoked_at else "active"
            org = orgs.get(c.organisation_id, "platform") if c.organisation_id else "platform"
            click.echo(f"{c.key}  {c.name}  [{c.scopes}]  {org}  {c.created_at:%Y-%m-%d}  {state}")
    finally:
        session.close()


@lrs_client_group.command("revoke")
@click.argument("key")
def lrs_client_revoke(key: str) -> None:
    """Revoke a client by its key: its next request gets 401."""
    from sqlalchemy import select

    from elearn.lrs.auth import revoke_client
    from elearn.lrs.models import LrsClient

    session = _state().session_factory()
    try:
        client = session.scalar(select(LrsClient).where(LrsClient.key == key))
        if client is None:
            click.echo(f"no LRS client with key {key!r}", err=True)
            sys.exit(1)
        revoke_client(session, client)
        session.commit()
    finally:
        session.close()
    click.echo(f"Revoked {key}.")


def main() -> None:
    """The `elearn` console script: the same commands without `flask`."""
    from elearn.app import create_app

    elearn_cli.main(obj=ScriptInfo(create_app=create_app))
