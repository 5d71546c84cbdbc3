"""What an attacker and a careless user found (issue 11), each held by a test that fails on the
code before the fix: lockout races, rate limits, powers kept after an organisation is gone,
sessions surviving logout, huge ids, missing headers."""

from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from elearn.accounts.models import User
from tests.conftest import PASSWORD, PLAY_COURSE, csrf_from, import_course, make_test_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def _user(app: Flask, email: str) -> User:
    session = app.extensions["elearn"].session_factory()
    try:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user
    finally:
        session.close()


def _make_user(app: Flask, email: str) -> None:
    from elearn.accounts import service

    session = app.extensions["elearn"].session_factory()
    try:
        service.create_user(session, email, PASSWORD, "teacher", "nb")
        session.commit()
    finally:
        session.close()


def _login(client: FlaskClient, email: str, password: str, address: str = "127.0.0.1") -> int:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post(
        "/login",
        data={"csrf_token": csrf_from(page), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def _parallel_wrong_passwords(app: Flask, email: str, n: int) -> list[int]:
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def attempt() -> None:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        barrier.wait()
        data = {"csrf_token": csrf_from(page), "email": email, "password": "wrong password!"}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


@pytest.fixture
def unlimited_app(db: Engine, tmp_path: Path) -> Flask:
    """Rate limits off: the account's own lockout is what is tested."""
    app = make_test_app(db, tmp_path, ELEARN_RATELIMIT_ENABLED=False)
    import_course(app, PLAY_COURSE)
    return app


@pytest.mark.parametrize("parallel", [8, 30])
def test_parallel_wrong_passwords_lock_the_account(unlimited_app: Flask, parallel: int) -> None:
    _make_user(unlimited_app, "rektor@example.no")
    statuses = _parallel_wrong_passwords(unlimited_app, "rektor@example.no", parallel)
    assert statuses == [401] * parallel
    assert _user(unlimited_app, "rektor@example.no").locked_until is not None
    assert _login(unlimited_app.test_client(), "rektor@example.no", PASSWORD) == 401


def test_parallel_wrong_passwords_are_all_counted(unlimited_app: Flask) -> None:
    _make_user(unlimited_app, "laerer@example.no")
    _parallel_wrong_passwords(unlimited_app, "laerer@example.no", 4)
    user = _user(unlimited_app, "laerer@example.no")
    assert (user.failed_logins, user.locked_until) == (4, None)


def test_failed_logins_from_one_address_are_limited(db: Engine, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path, ELEARN_LOGIN_LIMIT_PER_ADDRESS="3/minute")
    _make_user(app, "a@example.no")
    client = app.test_client()
    statuses = [_login(client, f"x{i}@example.no", "wrong password!") for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    page = client.get("/login").get_data(as_text=True)
    blocked = client.post(
        "/login", data={"csrf_token": csrf_from(page), "email": "a@example.no", "password": "x"}
    )
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert _login(client, "a@example.no", PASSWORD, address="10.0.0.9") == 302, "others are free"


def test_good_logins_from_one_address_are_not_limited(db: Engine, tmp_path: Path) -> None:
    """A staff room behind one address: thirty colleagues log in at once."""
    app = make_test_app(db, tmp_path, ELEARN_LOGIN_LIMIT_PER_ADDRESS="3/minute")
    for i in range(6):
        _make_user(app, f"kollega{i}@example.no")
    assert [_login(app.test_client(), f"kollega{i}@example.no", PASSWORD) for i in range(6)] == [
        302
    ] * 6


def test_failed_logins_naming_one_account_are_limited_across_addresses(
    db: Engine, tmp_path: Path
) -> None:
    app = make_test_app(db, tmp_path, ELEARN_LOGIN_LIMIT_PER_ACCOUNT="3/hour")
    client = app.test_client()
    statuses = [
        _login(client, "Target@Example.no ", "wrong password!", address=f"10.0.0.{i}")
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_limits_are_shared_through_redis_by_every_worker(db: Engine, tmp_path: Path) -> None:
    """Two apps stand for two gunicorn workers: a guess counted by one counts in the other."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # the machines this runs on have Redis on 6379
        pytest.fail(f"Redis is not running on {REDIS_URL}: {exc}")
    settings = {"ELEARN_REDIS_URL": REDIS_URL, "ELEARN_LOGIN_LIMIT_PER_ACCOUNT": "2/hour"}
    first = make_test_app(db, tmp_path / "a", **settings)
    second = make_test_app(db, tmp_path / "b", **settings)
    account = f"{uuid.uuid4().hex}@example.no"  # a fresh key: earlier runs left theirs in Redis
    assert _login(first.test_client(), account, "wrong password!") == 401
    assert _login(second.test_client(), account, "wrong password!") == 401
    assert _login(first.test_client(), account, "wrong password!") == 429


def test_registrations_from_one_address_are_limited(db: Engine, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path, ELEARN_REGISTRATION_LIMIT="2/hour")
    statuses = []
    for i in range(3):
        client = app.test_client()  # a new visitor each time, from the same address
        page = client.get("/register").get_data(as_text=True)
        data = {
            "csrf_token": csrf_from(page),
            "email": f"ny{i}@example.no",
            "password": PASSWORD,
            "audience": "teacher",
            "language": "nb",
        }
        statuses.append(client.post("/register", data=data).status_code)
    assert statuses == [302, 302, 429]


def _clients(app: Flask) -> list[tuple[str, int | None, object]]:
    from elearn.lrs.models import LrsClient

    session = app.extensions["elearn"].session_factory()
    try:
        return [
            (c.name, c.organisation_id, c.revoked_at)
            for c in session.scalars(select(LrsClient).order_by(LrsClient.id))
        ]
    finally:
        session.close()


def test_an_org_admin_whose_organisation_is_gone_can_change_nothing(
    app: Flask, client: FlaskClient
) -> None:
    from elearn.accounts.models import Organisation
    from elearn.cli import elearn_cli
    from elearn.lrs.models import LrsClient
    from tests.conftest import login, make_admin

    make_admin(app, "it@bergen.kommune.no", role="org_admin", org_slug="bergen")
    runner = app.test_cli_runner()
    assert (
        runner.invoke(elearn_cli, ["lrs-client", "create", "platform", "--scope", "all"]).exit_code
        == 0
    )
    session = app.extensions["elearn"].session_factory()
    platform_id = session.scalar(select(LrsClient.id))
    session.delete(session.scalar(select(Organisation)))  # users' organisation_id: SET NULL
    session.commit()
    session.close()
    assert _user(app, "it@bergen.kommune.no").organisation_id is None

    login(client, "it@bergen.kommune.no")
    token = csrf_from(client.get("/profile").get_data(as_text=True))
    revoke = client.post(f"/admin/lrs-clients/{platform_id}/revoke", data={"csrf_token": token})
    create = client.post(
        "/admin/lrs-clients", data={"csrf_token": token, "name": "mine", "scope": "all"}
    )
    assert (revoke.status_code, create.status_code) == (403, 403)
    assert client.get("/admin/").status_code == 403
    assert _clients(app) == [("platform", None, None)], "nothing was revoked or created"


def test_a_posted_organisation_that_does_not_exist_is_a_form_error(
    app: Flask, client: FlaskClient
) -> None:
    from tests.conftest import login, make_admin

    make_admin(app, "drift@example.no")
    login(client, "drift@example.no")
    page = client.get("/admin/lrs-clients?lang=en").get_data(as_text=True)
    response = client.post(
        "/admin/lrs-clients",
        data={"csrf_token": csrf_from(page), "name": "x", "scope": "all", "organisation": "4242"},
    )
    assert response.status_code == 400
    assert "Choose an organisation from the list" in response.get_data(as_text=True)
    assert _clients(app) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/a/12345678901234567890123/result"),
        ("get", "/assets/12345678901234567890123/x.svg"),
        ("post", "/a/12345678901234567890123/s/first/choose"),
        ("post", "/admin/lrs-clients/12345678901234567890123/revoke"),
    ],
)
def test_huge_ids_in_urls_are_not_found(
    learner_client: FlaskClient, method: str, path: str
) -> None:
    token = csrf_from(learner_client.get("/profile").get_data(as_text=True))
    response = getattr(learner_client, method)(path, data={"csrf_token": token, "step": "1"})
    assert response.status_code == 404


def test_huge_numbers_in_forms_are_bad_requests(learner_client: FlaskClient) -> None:
    page = learner_client.get("/c/play-course").get_data(as_text=True)
    started = learner_client.post("/c/play-course/start", data={"csrf_token": csrf_from(page)})
    play = started.headers["Location"].split("#")[0]
    data = {"csrf_token": csrf_from(page), "choice": "listen", "step": "9" * 23}
    assert learner_client.post(play + "/choose", data=data).status_code == 400
    data = {"csrf_token": csrf_from(page), "attempt_id": "9" * 23, "step": "1"}
    assert learner_client.post("/c/play-course/restart", data=data).status_code == 400


def test_an_unknown_url_gets_the_same_protective_headers(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<html" in response.get_data(as_text=True), "elearn's own error page"


def test_hsts_when_cookies_are_secure(db: Engine, tmp_path: Path) -> None:
    plain = make_test_app(db, tmp_path / "a")
    assert "Strict-Transport-Security" not in plain.test_client().get("/login").headers
    secure = make_test_app(db, tmp_path / "b", SESSION_COOKIE_SECURE=True)
    hsts = secure.test_client().get("/login").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_the_page_showing_a_new_client_secret_is_not_stored(
    app: Flask, client: FlaskClient
) -> None:
    from tests.conftest import login, make_admin

    make_admin(app, "drift@example.no")
    login(client, "drift@example.no")
    page = client.get("/admin/lrs-clients").get_data(as_text=True)
    created = client.post(
        "/admin/lrs-clients", data={"csrf_token": csrf_from(page), "name": "x", "scope": "all"}
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"


def test_logout_ends_every_session_of_the_user(app: Flask) -> None:
    """A session cookie copied before logout (another device, a shared computer) opens nothing
    afterwards."""
    from tests.conftest import login

    _make_user(app, "laerer@example.no")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "laerer@example.no")
    login(phone, "laerer@example.no")
    stolen = laptop.get_cookie("session")
    assert stolen is not None
    assert phone.get("/profile").status_code == 200
    laptop.post(
        "/logout", data={"csrf_token": csrf_from(laptop.get("/profile").get_data(as_text=True))}
    )
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get("/profile").status_code == 302, "the captured cookie is dead"
    assert phone.get("/profile").status_code == 302, "so is the other device's session"
    login(phone, "laerer@example.no")
    assert phone.get("/profile").status_code == 200, "logging in again works"


def test_the_lrs_client_form_shows_its_own_errors_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient
) -> None:
    """WTForms validates; `novalidate` leaves the browser's bubbles out so the page's own error
    summary is what a user (and a screen reader) meets."""
    from tests.conftest import login, make_admin

    make_admin(app, "drift@example.no")
    login(client, "drift@example.no")
    page = client.get("/admin/lrs-clients?lang=en").get_data(as_text=True)
    assert re.search(
        r'<form method="post" class="form" aria-labelledby="create-title" novalidate', page
    )
    response = client.post(
        "/admin/lrs-clients",
        data={"csrf_token": csrf_from(page), "name": "  ", "scope": ["nonsense"],
              "organisation": "9" * 23},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#name">Enter who will use the access.' in html
    assert 'href="#scope">Choose at least one scope.' in html
    assert 'href="#organisation">Choose an organisation from the list' in html
    kept = client.post(
        "/admin/lrs-clients",
        data={"csrf_token": csrf_from(page), "name": "Analytics", "scope": []},
    ).get_data(as_text=True)
    assert 'value="Analytics"' in kept
    assert _clients(app) == []


def test_failed_lrs_authentications_from_one_address_are_limited(
    db: Engine, tmp_path: Path
) -> None:
    """Guessing LRS keys and secrets: the fourth failure in a minute from one address is a 429
    (JSON, as the LRS answers), while a client with good credentials is not held back."""
    import base64

    from elearn.lrs.auth import create_client

    app = make_test_app(db, tmp_path, ELEARN_LRS_AUTH_LIMIT="3/minute")
    session = app.extensions["elearn"].session_factory()
    client, secret = create_client(session, "good", ["all"], "test-secret", None)
    session.commit()
    good = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    session.close()
    http = app.test_client()
    headers = {"X-Experience-API-Version": "1.0.3"}

    def get(auth: str) -> int:
        return http.get(
            "/xapi/statements", headers={**headers, "Authorization": f"Basic {auth}"}
        ).status_code

    bad = base64.b64encode(b"guess:guess").decode()
    assert [get(bad) for _ in range(4)] == [401, 401, 401, 429]
    assert get(good) == 429, "for the rest of the minute the address is held back, whoever asks"
    other = http.get(
        "/xapi/statements",
        headers={**headers, "Authorization": f"Basic {good}"},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert other.status_code == 200, "a client elsewhere is not held back"
