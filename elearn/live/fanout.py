"""Telling every waiting page, in every worker, that a session changed.

Each worker keeps one `Hub`. Its event streams wait on a condition variable, never on the
database or Redis themselves, so 300 open streams cost one background reader, not 300:

- with ELEARN_REDIS_URL, a writer publishes the session's new (version, step) on
  `elearn:live:<id>` after its commit, and one thread per worker listens to `elearn:live:*`;
- without Redis (or should Redis drop a message), one thread per worker reads the versions
  of the sessions its streams watch, every `poll_seconds`, in one query.

The database stays the truth: a stream starts from the version its page was rendered at and
only ever learns that there is something newer, which the page then reads.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from elearn.live.models import LiveSession

CHANNEL = "elearn:live:"

Mark = tuple[int, int]  # (version, step)


class Hub:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        redis_url: str = "",
        poll_seconds: float = 0.2,
    ):
        self.session_factory = session_factory
        self.redis_url = redis_url
        # With Redis the database read is only a safety net for a lost message.
        self.poll_seconds = poll_seconds if not redis_url else max(poll_seconds, 5.0)
        self._marks: dict[int, Mark] = {}
        self._watching: Counter[int] = Counter()
        # One lock; a condition per watched session, so a vote wakes that room's streams only.
        self._lock = threading.Lock()
        self._conds: dict[int, threading.Condition] = {}
        self._pid: int | None = None
        self._redis: Any = None

    # -- writers -------------------------------------------------------------------------------
    def publish(self, session_id: int, version: int, step: int) -> None:
        """After a commit: wake this worker's streams at once, and the other workers' too."""
        self._note(session_id, (version, step))
        client = self._client()
        if client is not None:
            with contextlib.suppress(Exception):  # the poller catches up if Redis is down
                client.publish(f"{CHANNEL}{session_id}", f"{version} {step}")

    # -- readers -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def watching(self, session_id: int, current: Mark) -> Iterator[None]:
        """For a stream's whole life: this worker keeps the session's news. `current` is what
        the stream just read from the database, so nothing that happens after is missed."""
        self._ensure_threads()
        with self._lock:
            self._conds.setdefault(session_id, threading.Condition(self._lock))
            self._watching[session_id] += 1
            mark = self._marks.get(session_id)
            if mark is None or current[0] > mark[0]:
                self._marks[session_id] = current
        try:
            yield
        finally:
            with self._lock:
                self._watching[session_id] -= 1
                if self._watching[session_id] <= 0:
                    del self._watching[session_id]
                    del self._conds[session_id]
                    self._marks.pop(session_id, None)  # nothing kept for rooms no one watches

    def wait(self, session_id: int, known: int, timeout: float) -> Mark | None:
        """Inside `watching`: the session's (version, step) as soon as its version is above
        `known`, or None after `timeout` seconds without news."""
        deadline = time.monotonic() + timeout
        with self._lock:
            cond = self._conds[session_id]
            while True:
                mark = self._marks.get(session_id)
                if mark is not None and mark[0] > known:
                    return mark
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                cond.wait(left)

    def _note(self, session_id: int, mark: Mark) -> None:
        with self._lock:
            if session_id not in self._watching:
                return
            old = self._marks.get(session_id)
            if old is None or mark[0] > old[0]:
                self._marks[session_id] = mark
                cond = self._conds.get(session_id)
                if cond is not None:
                    cond.notify_all()

    # -- background ----------------------------------------------------------------------------
    def _client(self) -> Any:
        if not self.redis_url:
            return None
        if self._redis is None:
            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        return self._redis

    def _ensure_threads(self) -> None:
        """Started on first use in each process (gunicorn forks after the app is built)."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            self._pid = pid
            self._redis = None
            threading.Thread(target=self._poll_loop, name="elearn-live-poll", daemon=True).start()
            if self.redis_url:
                threading.Thread(
                    target=self._listen_loop, name="elearn-live-redis", daemon=True
                ).start()

    def _poll_loop(self) -> None:
        while True:
            with self._lock:
                ids = list(self._watching)
            if ids:
                with contextlib.suppress(Exception), self.session_factory() as db:
                    rows = db.execute(
                        select(LiveSession.id, LiveSession.version, LiveSession.step).where(
                            LiveSession.id.in_(ids)
                        )
                    ).all()
                    for sid, version, step in rows:
                        self._note(sid, (version, step))
            time.sleep(self.poll_seconds)

    def _listen_loop(self) -> None:
        while True:
            try:
                # A client of its own, without a read timeout: a quiet hour is not an error.
                client = redis.Redis.from_url(self.redis_url, health_check_interval=30)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{CHANNEL}*")
                for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    sid = int(message["channel"].decode().rsplit(":", 1)[1])
                    version, step = (int(x) for x in message["data"].decode().split())
                    self._note(sid, (version, step))
            except Exception:  # a dropped connection: listen again shortly
                time.sleep(1)
