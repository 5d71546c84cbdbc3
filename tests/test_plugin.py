"""elearn mounted inside a host Flask app that has its own routes, users and login."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from sqlalchemy.engine import Engine

from elearn import Elearn
from tests.conftest import PLAY_COURSE, csrf_from, import_course


class HostUser(UserMixin):
    def __init__(self, uid: str):
        self.id = uid


def make_host(engine: Engine, tmp_path: Path) -> Flask:
    host = Flask("host", instance_path=str(tmp_path / "host-instance"))
    host.config.update(SECRET_KEY="host-secret", TESTING=True)
    manager = LoginManager(host)
    users = {"ada": HostUser("ada")}
    manager.user_loader(users.get)

    @host.get("/")
    def home() -> str:
        return "host home"

    @host.post("/host-login")
    def host_login() -> str:
        login_user(users[request.form["name"]])
        return "ok"

    @host.get("/secret")
    @login_required
    def secret() -> str:
        return f"host secret for {current_user.id}"

    Elearn(host, url_prefix="/kurs", engine=engine)
    return host


@pytest.fixture
def host(db: Engine, tmp_path: Path) -> Flask:
    app = make_host(db, tmp_path)
    import_course(app, PLAY_COURSE)
    return app


def test_host_routes_and_login_keep_working_beside_elearn(host: Flask) -> None:
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    assert client.get("/secret").status_code == 401  # host's own unauthorized handling
    client.post("/host-login", data={"name": "ada"})  # host forms have no elearn CSRF
    assert client.get("/secret").get_data(as_text=True) == "host secret for ada"
    # elearn under its prefix, sharing the host's engine
    page = client.get("/kurs/").get_data(as_text=True)
    assert "Testkurs" in page and 'href="/kurs/c/play-course"' in page
    # A host user is not an elearn learner: the player asks for an elearn login.
    response = client.get("/kurs/a/1/s/first")
    assert response.status_code == 302 and response.headers["Location"].startswith("/kurs/login")
    assert client.get("/secret").status_code == 200


def test_a_learner_registers_and_plays_under_the_prefix(host: Flask) -> None:
    client = host.test_client()
    page = client.get("/kurs/register").get_data(as_text=True)
    response = client.post(
        "/kurs/register",
        data={
            "csrf_token": csrf_from(page),
            "email": "a@example.no",
            "password": "long enough password",
            "audience": "teacher",
        },
    )
    assert response.headers["Location"] == "/kurs/login"
    page = client.get("/kurs/login").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "email": "a@example.no"}
    response = client.post("/kurs/login", data={**data, "password": "long enough password"})
    assert response.headers["Location"] == "/kurs/"
    page = client.get("/kurs/c/play-course").get_data(as_text=True)
    response = client.post("/kurs/c/play-course/start", data={"csrf_token": csrf_from(page)})
    assert response.headers["Location"].startswith("/kurs/a/")
    assert "elearn-static/elearn.css" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    # The host's own pages still answer, and its user loader still works for its users.
    assert client.get("/").status_code == 200


def test_elearn_can_be_initialised_later_with_init_app(db: Engine, tmp_path: Path) -> None:
    ext = Elearn(url_prefix="/learn")
    app = Flask("late", instance_path=str(tmp_path / "late"))
    app.config.update(SECRET_KEY="x", TESTING=True, ELEARN_DATABASE_URL=str(db.url))
    ext.init_app(app)
    assert app.test_client().get("/learn/").status_code == 200
    assert app.extensions["elearn"].url_prefix == "/learn"


def test_the_host_templates_keep_their_own_variables(db: Engine, tmp_path: Path) -> None:
    from flask import render_template_string

    host = Flask("ctx-host", instance_path=str(tmp_path / "ctx"))
    host.config.update(SECRET_KEY="s", TESTING=True)

    @host.context_processor
    def host_vars() -> dict:
        return {"lang": "de", "_": lambda s: f"HOST:{s}"}

    @host.get("/")
    def home() -> str:
        return render_template_string("{{ _('Welcome') }} {{ lang }}")

    Elearn(host, url_prefix="/kurs", engine=db)
    assert host.test_client().get("/").get_data(as_text=True) == "HOST:Welcome de"
