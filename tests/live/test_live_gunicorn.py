"""Two gunicorn workers share one session: the state is in the database, the news travels by
Redis pub/sub (or by the database poll without Redis).

gunicorn's sync workers serve one request at a time, so while the projector's event stream is
open in one worker, every other request is served by the other one: a vote and a leader's
action that reach the stream have crossed from one worker to the other, every time."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import FIXTURES, PASSWORD, ROOT
from tests.live.test_live_events import REDIS_URL, Stream

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """An HTTP client with its own cookie jar, over real sockets."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, form: dict[str, str], page: str) -> tuple[int, str, str]:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, **form}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode()


@pytest.fixture(params=["database-poll", "redis"])
def gunicorn(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[str]:
    """gunicorn, two sync workers, on the test database (the `app` fixture imported the course)."""
    port = _free_port()
    env = dict(os.environ)
    env.update(
        ELEARN_DATABASE_URL=app.config["ELEARN_DATABASE_URL"],
        ELEARN_SECRET_KEY="two-workers",
        ELEARN_COURSES_DIR=str(FIXTURES),
        ELEARN_LIVE_STREAM_SECONDS="15",
        ELEARN_REDIS_URL=REDIS_URL if request.param == "redis" else "",
    )
    command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               "--graceful-timeout", "2", "--chdir", str(tmp_path), "--pythonpath", str(ROOT),
               "wsgi:app"]  # fmt: skip
    server = subprocess.Popen(
        command,
        env=env,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)


def test_a_vote_and_a_leader_action_cross_from_one_worker_to_the_other(gunicorn: str) -> None:
    leader = Browser(gunicorn)
    page = leader.get("/register?lang=en")
    status, _, _ = leader.post(
        "/register",
        {"email": "rektor@example.no", "password": PASSWORD, "audience": "school_leader"},
        page,
    )
    assert status == 200  # registered; without mail, the person then logs in
    page = leader.get("/login?lang=en")
    status, _, _ = leader.post("/login", {"email": "rektor@example.no", "password": PASSWORD}, page)
    assert status == 200
    page = leader.get("/c/play-course/facilitator")
    status, lead_url, lead_page = leader.post(
        "/live/start", {"course_id": "play-course", "scenario_id": "first"}, page
    )
    assert status == 200 and lead_url.endswith("/lead")
    code = re.search(r'id="live-code">([A-Z0-9]{6})<', lead_page).group(1)
    public_id = lead_url.split("/s/")[1].split("/")[0]
    version = int(re.search(r'data-live-version="(\d+)"', lead_page).group(1))

    phones = []
    for _ in range(3):
        phone = Browser(gunicorn)
        status, phone_url, phone_page = phone.post(
            "/live/join", {"code": code}, phone.get(f"/live/j/{code}")
        )
        assert status == 200 and 'name="round"' in phone_page  # the phone shows the vote
        phones.append((phone, phone_url.removeprefix(gunicorn), phone_page))
    version += 3  # three joins

    # The projector's stream holds one worker; everything below is served by the other.
    stream = Stream(gunicorn, f"/live/e/{public_id}?since={version}")
    try:
        for n, (phone, url, phone_page) in enumerate(phones, start=1):
            round_ = re.search(r'name="round" value="(\d+)"', phone_page).group(1)
            status, _, _ = phone.post(
                f"{url}/vote", {"round": round_, "choice": "listen"}, phone_page
            )
            assert status == 200
            event = stream.next_event()
            assert int(event["id"]) == version + n  # every vote, none lost, in order
        lead_page = leader.get(lead_url.removeprefix(gunicorn))
        assert "3 votes" in lead_page  # the count on the leader's page
        status, _, lead_page = leader.post(
            f"/live/s/{public_id}/act",
            {"action": "reveal", "step": "0"},
            lead_page,
        )
        assert status == 200
        event = stream.next_event()
        assert event["data"] == f"{version + 4} 1"  # the leader's step reached the stream
    finally:
        stream.close()
