"""Shared fixtures: a real database (SQLite by default, PostgreSQL when
ELEARN_TEST_DATABASE_URL is set), migrated with Alembic exactly as production is."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from elearn.db import Base, make_engine, session_factory_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ELEARN_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _drop_everything(engine: Engine) -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    names = [n for n in inspect(engine).get_table_names() if n.startswith("elearn_")]
    with engine.begin() as conn:
        for name in names:
            if engine.dialect.name == "postgresql":
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
            else:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from elearn.migrate import upgrade_database

    eng = make_engine(database_url)
    _drop_everything(eng)
    upgrade_database(eng)
    yield eng
    eng.dispose()


def _truncate(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    # SQLite: the pragma is a no-op inside a transaction, so switch it around the transaction
    # (else the pooled connection would go back with foreign keys off for the next test).
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        for t in tables:
            conn.execute(t.delete())
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The migrated engine, emptied after the test."""
    yield engine
    _truncate(engine)


@pytest.fixture
def session_factory(db: Engine) -> sessionmaker[Session]:
    return session_factory_for(db)


# -- the web app -------------------------------------------------------------------------------
import re  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PLAY_COURSE = FIXTURES / "play-course"
PASSWORD = "correct horse battery"


class LiveServer:
    """The app on a real HTTP server on loopback, in a thread: for browsers and HTTP clients."""

    def __init__(self, app: Flask):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.thread.join(5)


def make_test_app(engine: Engine, tmp_path: Path, **config: object) -> Flask:
    from elearn.app import create_app

    settings: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "ELEARN_DATABASE_URL": str(engine.url),
        "ELEARN_COURSES_DIR": str(FIXTURES),
        "ELEARN_LRS_ENDPOINT": "",
    }
    settings.update(config)
    app = create_app(settings, engine=engine)
    app.instance_path = str(tmp_path / "instance")
    return app


def import_course(app: Flask, course_dir: Path) -> None:
    from elearn.content.service import INVALID
    from elearn.content.service import import_course as do_import

    session = app.extensions["elearn"].session_factory()
    try:
        result = do_import(session, course_dir)
        assert result.status != INVALID, "\n".join(map(str, result.problems))
        session.commit()
    finally:
        session.close()


@pytest.fixture
def app(db: Engine, tmp_path: Path) -> Flask:
    app = make_test_app(db, tmp_path)
    import_course(app, PLAY_COURSE)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token in a form"
    return match.group(1)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no field {name}"
    return match.group(1)


def register(
    client: FlaskClient, email: str = "laerer@example.no", audience: str = "teacher"
) -> None:
    page = client.get("/register").get_data(as_text=True)
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_from(page),
            "email": email,
            "password": PASSWORD,
            "audience": audience,
            "language": "en",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    # Without mail nobody is logged in by registering (no answer tells who has an account).
    login(client, email)


@pytest.fixture
def learner_client(client: FlaskClient) -> FlaskClient:
    register(client)
    return client


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": csrf_from(page), "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def make_admin(app: Flask, email: str, role: str = "admin", org_slug: str | None = None) -> None:
    """An account with a role, made the way an operator makes one: with the CLI."""
    from elearn.cli import elearn_cli

    runner = app.test_cli_runner()
    if org_slug:
        runner.invoke(elearn_cli, ["create-org", org_slug, "--name", org_slug.title()])
    args = ["create-user", email, "--password", PASSWORD, "--role", role]
    result = runner.invoke(elearn_cli, args + (["--org", org_slug] if org_slug else []))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the whole run, shared by tests/browser and tests/export: Playwright's
    sync API cannot run twice at once in one process."""
    from tests.browser.conftest import AXE, CHROMIUM, CHROMIUM_ARGS

    # A browser test never silently skips: missing tools are a failure with a clear message.
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: run `make test`"
    assert AXE.exists(), "axe-core is not installed: run `make test` (it runs npm ci)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
