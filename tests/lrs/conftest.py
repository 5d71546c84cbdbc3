"""The LRS conformance suite's fixtures: elearn on a real HTTP server, real HTTP requests.

One server per test module (fast); tests use fresh activity ids, agents and registrations so
they never see each other's data; the tables are emptied when the module ends, so tests that
expect an empty database still find one.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.conftest import LiveServer, _truncate, make_test_app

VERSION = "1.0.3"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class LrsClient:
    """Talks xAPI to the running server; every reply is checked for what every reply needs."""

    base: str  # e.g. http://127.0.0.1:5123/xapi
    key: str
    secret: str
    log: list[Reply] = field(default_factory=list)

    @property
    def auth(self) -> str:
        return "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()

    def request(
        self,
        method: str,
        resource: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        auth: str | bool | None = True,
        version: str | None = VERSION,
        content_type: str | None = None,
    ) -> Reply:
        url = urlsplit(self.base)
        path = url.path + "/" + resource.lstrip("/")
        if params:
            encoded = {
                k: json.dumps(v)
                if isinstance(v, dict)
                else ("true" if v is True else "false" if v is False else v)
                for k, v in params.items()
            }
            path += "?" + urlencode(encoded)
        sent: dict[str, str] = {}
        if auth is True:
            sent["Authorization"] = self.auth
        elif isinstance(auth, str):
            sent["Authorization"] = auth
        if version is not None:
            sent["X-Experience-API-Version"] = version
        data: bytes | None = None
        if body is not None:
            if isinstance(body, bytes | str):
                data = body.encode() if isinstance(body, str) else body
                sent["Content-Type"] = content_type or "application/octet-stream"
            else:
                data = json.dumps(body).encode()
                sent["Content-Type"] = content_type or "application/json"
        sent.update(headers or {})
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            reply = Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()
        # Communication 3.3.s3.b1: the version header on every response (in the version the
        # request asked for: 2.0.0 for 2.0.x, else 1.0.3); a Date header too.
        expected = "2.0.0" if version and version.startswith("2.0") else "1.0.3"
        assert reply.header("X-Experience-API-Version") == expected, (method, path, reply.headers)
        assert reply.header("Date"), (method, path)
        if method == "HEAD":
            assert reply.body == b"", "HEAD must not send a body"
        self.log.append(reply)
        return reply

    def get(self, resource: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return self.request("GET", resource, params, **kw)

    def post(
        self, resource: str, body: Any = None, params: dict[str, Any] | None = None, **kw: Any
    ) -> Reply:
        return self.request("POST", resource, params, body, **kw)

    def put(
        self, resource: str, body: Any = None, params: dict[str, Any] | None = None, **kw: Any
    ) -> Reply:
        return self.request("PUT", resource, params, body, **kw)

    def delete(self, resource: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return self.request("DELETE", resource, params, **kw)

    def store(self, *statements: dict[str, Any]) -> list[str]:
        reply = self.post("statements", list(statements))
        assert reply.status == 200, reply.text
        return reply.json()

    def with_credentials(self, key: str, secret: str) -> LrsClient:
        return LrsClient(self.base, key, secret)


def new_client(
    app: Flask, scopes: str = "all", org_slug: str | None = None, name: str = "test"
) -> tuple[str, str]:
    """Credentials made the way the CLI makes them."""
    from elearn.accounts.service import create_organisation, find_organisation
    from elearn.lrs.auth import create_client

    session = app.extensions["elearn"].session_factory()
    try:
        org_id = None
        if org_slug:
            org = find_organisation(session, org_slug) or create_organisation(
                session, org_slug, org_slug.title()
            )
            session.flush()
            org_id = org.id
        client, secret = create_client(session, name, scopes, app.config["SECRET_KEY"], org_id)
        session.commit()
        return client.key, secret
    finally:
        session.close()


@pytest.fixture(scope="module")
def lrs_app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(
        engine, Path(tmp_path_factory.mktemp("lrs")), ELEARN_LRS_MAX_BYTES=2 * 1024 * 1024
    )
    app.config["TESTING"] = False
    yield app
    _truncate(engine)


@pytest.fixture(scope="module")
def server(lrs_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(lrs_app) as srv:
        yield srv


@pytest.fixture(scope="module")
def lrs(lrs_app: Flask, server: LiveServer) -> LrsClient:
    key, secret = new_client(lrs_app, "all")
    return LrsClient(server.url + "/xapi", key, secret)


# -- statement makers -----------------------------------------------------------------------
def agent(name: str | None = None) -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{name or uuid.uuid4().hex[:12]}@example.org"}


def activity_id() -> str:
    return f"http://example.org/activities/{uuid.uuid4().hex}"


def statement(**overrides: Any) -> dict[str, Any]:
    st: dict[str, Any] = {
        "actor": agent(),
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {"objectType": "Activity", "id": activity_id()},
    }
    st.update(overrides)
    return {k: v for k, v in st.items() if v is not None}


def server_now(lrs: LrsClient) -> str:
    """The LRS's own clock, to the millisecond (X-Experience-API-Consistent-Through)."""
    now = lrs.get("statements", {"limit": 1}).header("X-Experience-API-Consistent-Through")
    assert now, "the statement resource always says how far it is consistent"
    return now


def wait_until_server_clock_passes(lrs: LrsClient, moment: str) -> str:
    """Ask the LRS for its time until it is later than `moment` (a stored or updated time it
    gave): then anything stored next is later still. Waits on the server's clock, not on a
    sleep of a guessed length; gives up after 2,000 asks."""
    for _ in range(2000):
        now = server_now(lrs)
        if _instant(now) > _instant(moment):
            return now
    raise AssertionError(f"the LRS clock did not move past {moment}")


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
