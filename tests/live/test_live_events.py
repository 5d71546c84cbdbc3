"""The event stream over real HTTP: a vote handled by one app (one "worker") reaches a stream
served by another app on the same database, through Redis pub/sub or through the database
poll; a reconnecting page catches up from its Last-Event-ID; a client without EventSource
polls the same numbers."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.conftest import PLAY_COURSE, LiveServer, import_course, make_test_app
from tests.live.helpers import act, code_of, join, leader, start_session, vote

REDIS_URL = "redis://127.0.0.1:6379/15"


class Stream:
    """An EventSource as a test sees it: the events, one at a time, with a read timeout."""

    def __init__(self, base: str, path: str, last_event_id: str | None = None):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.conn.request("GET", path, headers=headers)
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next_event(self) -> dict[str, str]:
        event: dict[str, str] = {}
        while True:
            line = self.response.fp.readline().decode().rstrip("\n")
            if not line:
                if "data" in event:
                    return event
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            # Several data lines make one value, joined by newlines (as EventSource does).
            event[key] = event[key] + "\n" + value if key == "data" and key in event else value

    def close(self) -> None:
        self.conn.close()


def _two_workers(db: Engine, tmp_path: Path, redis_url: str) -> tuple[Flask, Flask]:
    """Two apps on one database, each with its own hub: as two gunicorn workers are."""
    first = make_test_app(db, tmp_path / "a", ELEARN_REDIS_URL=redis_url)
    second = make_test_app(db, tmp_path / "b", ELEARN_REDIS_URL=redis_url)
    import_course(first, PLAY_COURSE)
    return first, second


@pytest.mark.parametrize("redis_url", ["", REDIS_URL], ids=["database-poll", "redis"])
def test_a_vote_in_one_worker_reaches_a_stream_in_another(
    db: Engine, tmp_path: Path, redis_url: str
) -> None:
    streaming, voting = _two_workers(db, tmp_path, redis_url)
    lead = leader(voting)
    url = start_session(lead)
    public_id = url.split("/s/")[1].split("/")[0]
    page = lead.get(url).get_data(as_text=True)
    phone, purl = join(voting, code_of(page))
    version = int(
        lead.get(url).get_data(as_text=True).split('data-live-version="')[1].split('"')[0]
    )
    with LiveServer(streaming) as server:
        stream = Stream(server.url, f"/live/e/{public_id}?since={version}")
        try:
            assert vote(phone, purl, "listen").status_code == 303
            event = stream.next_event()
            assert int(event["id"]) == version + 1  # one vote: one version further
            new_version, step = (int(x) for x in event["data"].split())
            assert new_version == version + 1 and step == 0  # a vote is not a leader's step
        finally:
            stream.close()

        # A page that lost the network reconnects with the last event it saw: it gets the
        # current version at once.
        stream = Stream(server.url, f"/live/e/{public_id}", last_event_id=str(version - 1))
        try:
            assert int(stream.next_event()["id"]) == version + 1
        finally:
            stream.close()

        # Without EventSource: the poll answers the same numbers.
        conn = http.client.HTTPConnection(urlsplit(server.url).hostname, server.server.server_port)
        conn.request("GET", f"/live/e/{public_id}/poll")
        body = json.loads(conn.getresponse().read())
        assert body == {"version": version + 1, "step": 0, "ended": False}
        conn.close()


def test_a_stream_for_an_unknown_session_is_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/live/e/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/live/e/nonsense/poll").status_code == 404


def test_a_phones_stream_hears_the_leader_not_every_vote(db: Engine, tmp_path: Path) -> None:
    streaming, voting = _two_workers(db, tmp_path, "")
    lead = leader(voting)
    url = start_session(lead)
    public_id = url.split("/s/")[1].split("/")[0]
    phone, purl = join(voting, code_of(lead.get(url).get_data(as_text=True)))
    page = lead.get(url).get_data(as_text=True)
    version = page.split('data-live-version="')[1].split('"')[0]
    with LiveServer(streaming) as server:
        stream = Stream(
            server.url, f"/live/e/{public_id}?only=steps&step=0&since={version}&lang=en"
        )
        try:
            assert vote(phone, purl, "listen").status_code == 303  # a vote: not for phones
            assert act(lead, url, "reveal").status_code == 303  # the leader's step: for phones
            event = stream.next_event()
            head, _, html = event["data"].partition("\n")
            assert head.split()[1] == "1"
            # The event carries the phone's new view: no page to read again.
            assert event["event"] == "step"
            assert 'id="live-root"' in html and 'data-live-step="1"' in html
            assert "Voting has closed. Look at the screen" in html
        finally:
            stream.close()
    # The leader's views read only the count when a vote comes in.
    page = lead.get(f"/live/s/{public_id}/count?view=lead").get_data(as_text=True)
    assert 'id="live-count"' in page and "1 vote ·" in page
    assert app_client_is_refused(voting, public_id)


def app_client_is_refused(app: Flask, public_id: str) -> bool:
    """The count is the leader's: anyone else is sent to log in."""
    return app.test_client().get(f"/live/s/{public_id}/count").status_code == 302
