"""Forwarding to an external LRS, against a real HTTP server on 127.0.0.1 that fails on purpose.

What a user notices, and so what every test checks: the statements end up in the external
LRS, each exactly once, in the order elearn stored them, and nothing is lost meanwhile.
Backoff runs on an injected clock, so nothing here sleeps for the backoff itself.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from elearn.db import utcnow
from elearn.tracking.forwarder import (
    CONFLICT_NOTE,
    LEASE_HELD,
    Forwarder,
    LrsTarget,
    start_background_forwarder,
    target_from_config,
)
from elearn.tracking.models import ForwarderLease, OutboxEntry, StoredStatement
from elearn.tracking.store import add_statements
from tests.fake_lrs import FakeLrs

AUTHORITY = {
    "objectType": "Agent",
    "account": {"homePage": "https://example.org", "name": "elearn"},
}
BASE_IRI = "https://example.org/elearn/courses/demo"


class Clock:
    """Real time plus an offset that tests move forward: 'wait for the backoff' without waiting.

    Following real time (not a frozen instant) keeps freshly stored outbox entries, stamped
    with the real utcnow(), due at once, as they are in production.
    """

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    with FakeLrs() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


def target_for(lrs: FakeLrs, *, timeout: float = 5.0, slash: bool = True) -> LrsTarget:
    endpoint = lrs.endpoint if slash else lrs.endpoint.rstrip("/")
    return LrsTarget(endpoint=endpoint, key=lrs.key, secret=lrs.secret, timeout=timeout)


def forwarder(
    session_factory: sessionmaker[Session],
    lrs: FakeLrs,
    clock: Clock,
    **kwargs: Any,
) -> Forwarder:
    timeout = kwargs.pop("timeout", 5.0)
    kwargs.setdefault("base_backoff", 10.0)
    kwargs.setdefault("max_backoff", 600.0)
    return Forwarder(session_factory, target_for(lrs, timeout=timeout), clock=clock, **kwargs)


def statement(n: int) -> dict[str, Any]:
    """A valid xAPI 1.0.3 statement; the display text carries non-ASCII on purpose."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://example.org", "name": f"learner-{n % 3}"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"{BASE_IRI}/nodes/n{n}",
            "definition": {"name": {"nb-NO": f"Steg {n}: Øving på å svare"}},
        },
        "context": {"registration": str(uuid.uuid4()), "platform": "elearn"},
        "timestamp": "2026-05-01T10:00:00.000Z",
    }


def store(session_factory: sessionmaker[Session], count: int) -> list[str]:
    """Record `count` statements the way the player does: staged, then committed; returns ids."""
    bodies = [statement(i) for i in range(count)]
    with session_factory() as session:
        add_statements(session, bodies, authority=AUTHORITY, forward=True)
        session.commit()
    return [b["id"] for b in bodies]


def outbox(session_factory: sessionmaker[Session]) -> list[OutboxEntry]:
    """The outbox in stored order."""
    with session_factory() as session:
        return list(
            session.scalars(
                select(OutboxEntry)
                .join(StoredStatement, StoredStatement.id == OutboxEntry.statement_id)
                .order_by(StoredStatement.seq)
            )
        )


def unsent(session_factory: sessionmaker[Session]) -> list[OutboxEntry]:
    return [e for e in outbox(session_factory) if e.sent_at is None]


def advance_past_head(clock: Clock, session_factory: sessionmaker[Session]) -> None:
    head = unsent(session_factory)[0]
    clock.offset += max(dt.timedelta(0), head.next_try_at - clock()) + dt.timedelta(seconds=1)


def assert_delivered_once_in_order(lrs: FakeLrs, ids: list[str]) -> None:
    assert lrs.stored_ids == ids, "the LRS must hold every statement once, in stored order"
    assert len(set(lrs.stored_ids)) == len(lrs.stored_ids)


# -- 1. LRS up -------------------------------------------------------------------------------
def test_everything_arrives_once_in_order_with_auth_and_version(session_factory, lrs, clock):
    ids = store(session_factory, 7)

    report = forwarder(session_factory, lrs, clock).run_once()

    assert (report.sent, report.failed, report.error, report.waiting) == (7, False, None, 0)
    assert_delivered_once_in_order(lrs, ids)
    assert unsent(session_factory) == []
    assert all(e.sent_at is not None and e.last_error is None for e in outbox(session_factory))
    (post,) = lrs.requests_to_statements()
    assert post.method == "POST" and post.path == "/xapi/statements" and post.status == 200
    assert post.headers["x-experience-api-version"] == "1.0.3"
    assert post.headers["content-type"] == "application/json"
    assert post.headers["authorization"].startswith("Basic ")
    # What arrives is the statement elearn stored, non-ASCII intact, less `stored` and
    # `authority`, which the receiving LRS sets for itself.
    with session_factory() as session:
        first = session.scalars(select(StoredStatement).order_by(StoredStatement.seq)).first()
        assert first is not None
        sent = {k: v for k, v in first.body.items() if k not in ("stored", "authority")}
        assert lrs.statements[ids[0]] == sent
    assert "Øving" in lrs.statements[ids[0]]["object"]["definition"]["name"]["nb-NO"]

    again = forwarder(session_factory, lrs, clock).run_once()
    assert (again.sent, again.failed, again.waiting) == (0, False, 0)
    assert len(lrs.requests_to_statements()) == 1, "nothing left, so nothing is sent again"


def test_endpoint_without_trailing_slash(session_factory, lrs, clock):
    ids = store(session_factory, 2)
    fwd = Forwarder(session_factory, target_for(lrs, slash=False), clock=clock)
    assert fwd.run_once().sent == 2
    assert_delivered_once_in_order(lrs, ids)
    assert lrs.requests[0].path == "/xapi/statements"


def test_wrong_credentials_are_a_failure_not_a_delivery(session_factory, lrs, clock):
    ids = store(session_factory, 2)
    target = LrsTarget(endpoint=lrs.endpoint, key=lrs.key, secret="wrong", timeout=5)
    report = Forwarder(session_factory, target, clock=clock, base_backoff=10).run_once()

    assert report.failed and report.sent == 0 and report.waiting == 2
    assert report.error is not None and report.error.startswith("HTTP 401")
    assert lrs.stored_ids == []
    assert [e.tries for e in unsent(session_factory)] == [1, 1]
    assert all("401" in (e.last_error or "") for e in unsent(session_factory))

    advance_past_head(clock, session_factory)
    assert forwarder(session_factory, lrs, clock).run_once().sent == 2
    assert_delivered_once_in_order(lrs, ids)


# -- 2. LRS down for several runs --------------------------------------------------------------
def test_lrs_down_backs_off_keeps_everything_then_delivers_in_order(session_factory, lrs, clock):
    ids = store(session_factory, 5)
    fwd = forwarder(session_factory, lrs, clock, base_backoff=10.0, max_backoff=50.0)
    lrs.fail_next(4, status=503)

    expected_delays = [10.0, 20.0, 40.0, 50.0]  # doubling, then capped by max_backoff
    for attempt, delay in enumerate(expected_delays, start=1):
        before = clock()
        report = fwd.run_once()
        after = clock()
        assert report.failed and report.sent == 0 and report.waiting == 5
        assert report.error is not None and report.error.startswith("HTTP 503")
        entries = unsent(session_factory)
        assert len(entries) == 5, "nothing is lost and nothing is marked sent"
        head = entries[0]
        assert head.tries == attempt
        assert "503" in (head.last_error or "")
        waited = head.next_try_at - before
        assert dt.timedelta(seconds=delay * 0.9) <= waited
        assert head.next_try_at - after <= dt.timedelta(seconds=delay * 1.1)

        # Not due yet: a run now must not touch the LRS at all.
        requests_so_far = len(lrs.requests)
        idle = fwd.run_once()
        assert (idle.sent, idle.failed, idle.waiting) == (0, False, 5)
        assert len(lrs.requests) == requests_so_far
        advance_past_head(clock, session_factory)

    assert lrs.stored_ids == []
    report = fwd.run_once()  # the LRS is back
    assert (report.sent, report.failed, report.waiting) == (5, False, 0)
    assert_delivered_once_in_order(lrs, ids)


# -- 3. connection dropped, timeout, unreadable answer ------------------------------------------
@pytest.mark.parametrize("how", ["drop", "stall", "garble", "refused"])
def test_broken_connections_lose_nothing(session_factory, lrs, clock, how):
    ids = store(session_factory, 4)
    fwd = forwarder(session_factory, lrs, clock, timeout=0.3)
    if how == "drop":
        lrs.drop_next(2)
    elif how == "stall":
        lrs.stall_next(1)  # held until end_stall(): far longer than the client's 0.3 s timeout
    elif how == "garble":
        lrs.garble_next(1)
    else:  # nothing listens on that port
        dead = FakeLrs().start()
        port = dead.port
        dead.stop()
        fwd.target = LrsTarget(f"http://127.0.0.1:{port}/xapi/", lrs.key, lrs.secret, 0.3)

    report = fwd.run_once()
    if how == "stall":
        assert not lrs.stall_done.is_set(), "the client gave up while the LRS still stalled"
    assert report.failed and report.sent == 0 and report.waiting == 4
    entries = unsent(session_factory)
    assert [e.tries for e in entries] == [1, 1, 1, 1]
    assert entries[0].last_error
    if how == "stall":
        assert "timeout" in entries[0].last_error.lower()
    if how == "garble":
        assert "malformed" in entries[0].last_error

    if how == "drop":  # a second drop, a second backoff, still nothing lost
        advance_past_head(clock, session_factory)
        assert fwd.run_once().failed
        assert [e.tries for e in unsent(session_factory)] == [2, 2, 2, 2]
    if how == "refused":
        fwd.target = target_for(lrs)

    advance_past_head(clock, session_factory)
    report = fwd.run_once()
    assert (report.sent, report.failed, report.waiting) == (4, False, 0)
    if how == "stall":  # the stalled request lands late, after the resend: it changes nothing
        lrs.end_stall()
        assert lrs.stall_done.wait(10)
    assert_delivered_once_in_order(lrs, ids)


# -- 4. stored, but the answer was lost ----------------------------------------------------------
def test_lost_success_is_resent_without_duplicates(session_factory, lrs, clock):
    ids = store(session_factory, 6)
    fwd = forwarder(session_factory, lrs, clock, batch_size=4)
    lrs.store_then_fail_next(1)

    report = fwd.run_once()
    assert report.failed and report.sent == 0 and report.waiting == 6
    assert lrs.stored_ids == ids[:4], "the LRS did store the first batch"
    assert len(unsent(session_factory)) == 6, "but elearn was never told, so it keeps them"

    advance_past_head(clock, session_factory)
    report = fwd.run_once()
    assert (report.sent, report.failed, report.waiting) == (6, False, 0)
    assert_delivered_once_in_order(lrs, ids)
    posted = [r.ids for r in lrs.requests_to_statements("POST")]
    assert posted == [ids[:4], ids[:4], ids[4:]], "the first batch was sent twice, stored once"


# -- 5. an LRS that refuses a whole batch when one id exists --------------------------------------
def test_409_batch_falls_back_to_single_puts(session_factory, lrs, clock):
    ids = store(session_factory, 7)
    fwd = forwarder(session_factory, lrs, clock, batch_size=3)
    lrs.reject_batches_with_409()
    lrs.store_then_fail_next(1)  # the first batch lands, its answer is lost

    assert fwd.run_once().failed
    assert lrs.stored_ids == ids[:3]

    advance_past_head(clock, session_factory)
    report = fwd.run_once()
    assert (report.sent, report.failed, report.waiting) == (7, False, 0)
    assert_delivered_once_in_order(lrs, ids)
    methods = [(r.method, r.status) for r in lrs.requests_to_statements()]
    assert methods == [
        ("POST", 500),  # stored, answer lost
        ("POST", 409),  # refused: ids[0..2] exist
        ("PUT", 204),
        ("PUT", 204),
        ("PUT", 204),
        ("POST", 200),
        ("POST", 200),
    ]
    assert [r.ids[0] for r in lrs.requests_to_statements("PUT")] == ids[:3]
    assert all(e.last_error is None for e in outbox(session_factory))


def test_409_always_and_conflicting_id_is_marked_sent_with_a_note(session_factory, lrs, clock):
    ids = store(session_factory, 3)
    # Another client already put a *different* statement under our second id.
    other = statement(99) | {"id": ids[1]}
    lrs.preload(other)
    lrs.reject_batches_with_409(always=True)

    report = forwarder(session_factory, lrs, clock).run_once()

    assert (report.sent, report.failed, report.waiting) == (3, False, 0)
    assert lrs.stored_ids == [ids[1], ids[0], ids[2]]  # ids[1] was there first
    assert lrs.statements[ids[1]] == other, "the LRS keeps what it had"
    notes = [e.last_error for e in outbox(session_factory)]
    assert notes == [None, CONFLICT_NOTE, None]


def test_failing_put_during_fallback_keeps_the_rest_in_order(session_factory, lrs, clock):
    ids = store(session_factory, 4)
    fwd = forwarder(session_factory, lrs, clock, batch_size=4)
    lrs.reject_batches_with_409(always=True)
    lrs.pass_next(2)  # the POST (refused by the 409 mode) and the first PUT
    lrs.fail_next(1, status=503)  # the second PUT
    report = fwd.run_once()
    assert report.failed and report.sent == 1 and report.waiting == 3
    assert lrs.stored_ids == ids[:1]
    entries = outbox(session_factory)
    assert entries[0].sent_at is not None
    assert [e.tries for e in entries[1:]] == [1, 1, 1]
    assert all("503" in (e.last_error or "") for e in entries[1:])

    advance_past_head(clock, session_factory)
    assert fwd.run_once().sent == 3
    assert_delivered_once_in_order(lrs, ids)


# -- 6. more than one batch ------------------------------------------------------------------------
def test_batches_keep_the_order_across_batches(session_factory, lrs, clock):
    ids = store(session_factory, 11)
    report = forwarder(session_factory, lrs, clock, batch_size=4).run_once()

    assert (report.sent, report.failed, report.waiting) == (11, False, 0)
    assert_delivered_once_in_order(lrs, ids)
    assert [r.ids for r in lrs.requests_to_statements("POST")] == [ids[:4], ids[4:8], ids[8:]]


def test_failure_in_a_later_batch_keeps_earlier_batches_sent(session_factory, lrs, clock):
    ids = store(session_factory, 9)
    fwd = forwarder(session_factory, lrs, clock, batch_size=3)
    lrs.pass_next(1)
    lrs.fail_next(1, status=502)
    report = fwd.run_once()
    assert report.failed and report.sent == 3 and report.waiting == 6
    assert lrs.stored_ids == ids[:3]
    assert [e.tries for e in outbox(session_factory)] == [0, 0, 0, 1, 1, 1, 0, 0, 0]

    advance_past_head(clock, session_factory)
    assert fwd.run_once().sent == 6
    assert_delivered_once_in_order(lrs, ids)


# -- 7. the lease ------------------------------------------------------------------------------------
def test_second_forwarder_waits_while_the_first_is_sending(session_factory, lrs, clock):
    ids = store(session_factory, 5)
    first = forwarder(session_factory, lrs, clock, holder="worker-a")
    second = forwarder(session_factory, lrs, clock, holder="worker-b")
    lrs.hold_next(1)  # the first forwarder's POST waits inside the LRS

    reports: list[Any] = []
    thread = threading.Thread(target=lambda: reports.append(first.run_once()))
    thread.start()
    try:
        assert lrs.held.wait(5), "the first forwarder's request never arrived"
        blocked = second.run_once()
        assert (blocked.sent, blocked.failed, blocked.error) == (0, False, LEASE_HELD)
        assert len(lrs.requests_to_statements()) == 0, "the second one sent nothing"
    finally:
        lrs.release_held()
        thread.join(10)
    assert reports[0].sent == 5
    assert_delivered_once_in_order(lrs, ids)

    # Released on exit: the second may run now (and finds nothing to do).
    after = second.run_once()
    assert (after.sent, after.failed, after.error) == (0, False, None)


def test_lease_of_a_crashed_forwarder_expires(session_factory, lrs, clock):
    ids = store(session_factory, 3)
    crashed = forwarder(session_factory, lrs, clock, holder="crashed", lease_seconds=30)
    other = forwarder(session_factory, lrs, clock, holder="other", lease_seconds=30)
    assert crashed.acquire_lease()  # ... and the process dies without releasing it

    blocked = other.run_once()
    assert (blocked.sent, blocked.error, blocked.waiting) == (0, LEASE_HELD, 3)
    assert lrs.requests == []

    clock.advance(20)
    assert other.run_once().error == LEASE_HELD, "not expired yet"
    clock.advance(11)
    report = other.run_once()
    assert (report.sent, report.failed, report.error) == (3, False, None)
    assert_delivered_once_in_order(lrs, ids)
    with session_factory() as session:
        lease = session.get(ForwarderLease, "lrs")
        assert lease is not None and lease.holder is None, "released after the run"


def test_racing_forwarders_still_deliver_once_in_order(session_factory, lrs, clock):
    ids = store(session_factory, 40)
    workers = [
        forwarder(session_factory, lrs, clock, holder=f"w{i}", batch_size=3) for i in range(3)
    ]
    errors: list[BaseException] = []

    def work(fwd: Forwarder) -> None:
        try:
            for _ in range(200):
                if fwd.run_once().waiting == 0:
                    return
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert unsent(session_factory) == []
    assert_delivered_once_in_order(lrs, ids)
    posted = [sid for r in lrs.requests_to_statements("POST") for sid in r.ids]
    assert posted == ids, "taking turns, no statement went over the wire twice"


# -- 8. new statements while the LRS is down -------------------------------------------------------
def test_statement_added_during_outage_is_sent_after_the_earlier_ones(session_factory, lrs, clock):
    earlier = store(session_factory, 2)
    fwd = forwarder(session_factory, lrs, clock, batch_size=1)
    lrs.fail_next(1, status=503)
    assert fwd.run_once().failed

    later = store(session_factory, 1)  # due at once: tries 0, next_try_at now
    report = fwd.run_once()
    assert (report.sent, report.failed, report.waiting) == (0, False, 3)
    assert lrs.stored_ids == [], "the new statement must not overtake the failed head"
    assert lrs.requests_to_statements()[-1].ids == earlier[:1]

    advance_past_head(clock, session_factory)
    report = fwd.run_once()
    assert (report.sent, report.failed, report.waiting) == (3, False, 0)
    assert_delivered_once_in_order(lrs, earlier + later)


# -- configuration and the background thread --------------------------------------------------------
def test_target_from_config():
    assert target_from_config({"ELEARN_LRS_ENDPOINT": ""}) is None
    assert target_from_config({}) is None
    target = target_from_config(
        {
            "ELEARN_LRS_ENDPOINT": " https://lrs.example.org/xapi ",
            "ELEARN_LRS_KEY": "k",
            "ELEARN_LRS_SECRET": "s",
            "ELEARN_LRS_TIMEOUT": "2.5",
        }
    )
    assert target == LrsTarget("https://lrs.example.org/xapi", "k", "s", 2.5)
    assert target.statements_url == "https://lrs.example.org/xapi/statements"
    assert LrsTarget("https://x/xapi/", "", "").statements_url == "https://x/xapi/statements"


def bare_app(session_factory: sessionmaker[Session], **config: Any) -> Flask:
    """Just what start_background_forwarder reads: config and the extension's state."""
    app = Flask("forwarding-test")
    app.config.update(config)
    app.extensions["elearn"] = SimpleNamespace(session_factory=session_factory, services={})
    return app


def test_background_thread_forwards_statements(session_factory, lrs):
    ids = store(session_factory, 3)
    lrs_config = {
        "ELEARN_LRS_ENDPOINT": lrs.endpoint,
        "ELEARN_LRS_KEY": lrs.key,
        "ELEARN_LRS_SECRET": lrs.secret,
    }
    off = bare_app(session_factory, ELEARN_LRS_FORWARD_THREAD=False, **lrs_config)
    assert start_background_forwarder(off) is None
    no_endpoint = bare_app(session_factory, ELEARN_LRS_FORWARD_THREAD=True, ELEARN_LRS_ENDPOINT="")
    assert start_background_forwarder(no_endpoint) is None

    app = bare_app(session_factory, ELEARN_LRS_FORWARD_THREAD=True, **lrs_config)
    thread = start_background_forwarder(app)
    assert thread is not None and thread.daemon
    try:
        deadline = time.monotonic() + 10
        while lrs.stored_ids != ids and time.monotonic() < deadline:
            time.sleep(0.02)
        assert_delivered_once_in_order(lrs, ids)
    finally:
        app.extensions["elearn"].services["forwarder_stop"].set()
        thread.join(5)
    assert not thread.is_alive(), "the stop event ends the thread"
    assert unsent(session_factory) == []


class RecordingStop:
    """A stop event for run_forever: records each delay it is asked to wait, waits no time,
    and is set after `waits` waits."""

    def __init__(self, waits: int) -> None:
        self.delays: list[float] = []
        self.waits = waits

    def is_set(self) -> bool:
        return len(self.delays) >= self.waits

    def wait(self, delay: float) -> bool:
        self.delays.append(delay)
        return self.is_set()


class FrozenClock:
    """Stands still until advanced: the backoff is measured on it exactly."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def test_run_forever_retries_when_the_head_is_due_not_after_idle_sleep(session_factory, lrs):
    ids = store(session_factory, 3)
    clock = FrozenClock(utcnow() + dt.timedelta(seconds=1))  # after the entries were stored
    lrs.fail_next(1, status=503)
    fwd = forwarder(session_factory, lrs, clock, base_backoff=0.2, max_backoff=1.0)
    first = RecordingStop(waits=1)
    fwd.run_forever(first, idle_sleep=30)
    assert lrs.stored_ids == []
    (delay,) = first.delays
    assert 0.18 <= delay <= 0.22, "it waits until the head is due (0.2 s ± jitter), not 30 s"
    clock.advance(delay)
    fwd.run_forever(RecordingStop(waits=1), idle_sleep=30)
    assert_delivered_once_in_order(lrs, ids)
    assert [r.status for r in lrs.requests_to_statements()] == [503, 200]
