"""Forwards stored statements to an external LRS: in stored order, never lost.

Why it is built this way:
- The outbox (one `OutboxEntry` per statement) is written in the same transaction as the
  statement, so a statement that exists will be forwarded, whatever the LRS is doing then.
- Entries are sent in `StoredStatement.seq` order, and nothing behind a failed entry is sent
  before it: an LRS that receives `completed` before `initialized` tells a different story.
  A failure therefore backs off the *head* of the queue and stops the run. The order is exact
  within one attempt (its steps are serialised by the attempt row); statements of different
  learners whose transactions commit out of `seq` order may arrive in commit order instead.
- A statement the LRS refuses for good (400, 413 on its own) is marked `rejected_at` with the
  reason and logged, so one bad statement cannot hold back everything behind it.
- An entry is marked sent only after the LRS confirmed it (2xx, or 409 "already have that id"
  for a single PUT). A lost response means a resend; xAPI statement ids make that safe: the LRS
  must not store the same id twice.
- One forwarder at a time holds the `ForwarderLease` row "lrs", so two web workers (or a worker
  and `flask elearn forward`) never interleave batches and break the order.
- Only the standard library talks HTTP: no new dependency, and full control of timeouts,
  redirects (none are followed) and how each failure is classified.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import logging
import os
import random
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from elearn.db import utcnow
from elearn.tracking.models import ForwarderLease, OutboxEntry, StoredStatement
from elearn.tracking.statements import XAPI_VERSION

# An entry still to forward: not confirmed by the LRS and not rejected by it.
_UNFINISHED = and_(OutboxEntry.sent_at.is_(None), OutboxEntry.rejected_at.is_(None))

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

LEASE_NAME = "lrs"
# Statuses that say "this statement will never be accepted": resending cannot help, and
# retrying it would hold back every statement behind it for good.
REJECTED_STATUSES = (400, 413)
# What elearn's store sets as an LRS; the receiving LRS sets its own.
LRS_SET_PROPERTIES = ("stored", "authority")
LEASE_HELD = "lease held by another forwarder"
LEASE_LOST = "lease lost to another forwarder"
CONFLICT_NOTE = "409 conflict: LRS already holds this id"
_BODY_EXCERPT = 200
_MAX_ERROR = 500


@dataclass(frozen=True)
class LrsTarget:
    """Where statements go. `endpoint` is the xAPI base; "statements" is appended to it."""

    endpoint: str
    key: str
    secret: str
    timeout: float = 10.0

    @property
    def statements_url(self) -> str:
        """The Statement resource, whether or not the endpoint was configured with a final slash."""
        return self.endpoint.rstrip("/") + "/statements"


@dataclass
class ForwardReport:
    sent: int
    failed: bool
    error: str | None
    waiting: int  # unsent outbox entries left


@dataclass(frozen=True)
class _Pending:
    """One unsent entry, copied out of the session so no transaction stays open during HTTP."""

    outbox_seq: int
    statement_id: str
    tries: int
    next_try_at: dt.datetime
    body: dict[str, Any]


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes


class LrsError(Exception):
    """The LRS did not confirm: a status we can't accept, or an answer we can't read."""


def target_from_config(config: Mapping[str, Any]) -> LrsTarget | None:
    """The LRS from ELEARN_LRS_* settings, or None when no endpoint is set (forwarding off)."""
    endpoint = str(config.get("ELEARN_LRS_ENDPOINT") or "").strip()
    if not endpoint:
        return None
    timeout = config.get("ELEARN_LRS_TIMEOUT")
    return LrsTarget(
        endpoint=endpoint,
        key=str(config.get("ELEARN_LRS_KEY") or ""),
        secret=str(config.get("ELEARN_LRS_SECRET") or ""),
        timeout=float(timeout) if timeout not in (None, "") else 10.0,
    )


def _default_holder() -> str:
    """Unique per Forwarder object, readable in the lease row when an operator looks."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


class Forwarder:
    """Sends the outbox to one LRS. Safe to run in several processes: the lease serialises them."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        target: LrsTarget,
        *,
        batch_size: int = 50,
        holder: str | None = None,
        lease_seconds: float = 60.0,
        clock: Callable[[], dt.datetime] = utcnow,
        base_backoff: float = 1.0,
        max_backoff: float = 600.0,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.session_factory = session_factory
        self.target = target
        self.batch_size = batch_size
        self.holder = (holder or _default_holder())[:64]
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._random = random.Random()
        # The lease tells processes apart by holder; this keeps two threads sharing one
        # Forwarder (hence one holder) from forwarding at the same time.
        self._running = threading.Lock()
        if target.timeout >= lease_seconds:
            # A request outliving the lease would let a second forwarder start while this one
            # may still deliver: the order at the LRS would no longer be guaranteed.
            log.warning(
                "LRS timeout (%ss) is not shorter than the forwarder lease (%ss)",
                target.timeout,
                lease_seconds,
            )

    # -- the public loop ---------------------------------------------------------------------
    def run_once(self) -> ForwardReport:
        """Forward everything due now, batch after batch; stop at the first failure."""
        if not self._running.acquire(blocking=False):
            return ForwardReport(sent=0, failed=False, error=LEASE_HELD, waiting=self.waiting())
        try:
            if not self.acquire_lease():
                return ForwardReport(0, False, LEASE_HELD, self.waiting())
            try:
                return self._forward()
            finally:
                self.release_lease()
        finally:
            self._running.release()

    def _forward(self) -> ForwardReport:
        sent = 0
        while True:
            if not self._renew_lease():
                return ForwardReport(sent, False, LEASE_LOST, self.waiting())
            batch = self._load_batch()
            if not batch or batch[0].next_try_at > self.clock():
                # Empty, or the head is backing off: nothing behind it may overtake it.
                return ForwardReport(sent, False, None, self.waiting())
            done, error = self._send_batch(batch)
            sent += done
            if error is not None:
                # Losing the lease mid-batch is not the LRS failing: nothing was backed off.
                return ForwardReport(sent, error != LEASE_LOST, error, self.waiting())

    def run_forever(self, stop: threading.Event, idle_sleep: float = 2.0) -> None:
        """Forward until `stop` is set; between runs, sleep until the head is due (or idle_sleep)."""
        while not stop.is_set():
            try:
                report = self.run_once()
                if report.failed:
                    log.warning(
                        "LRS forwarding failed (%d waiting): %s", report.waiting, report.error
                    )
                delay = self._delay_until_head_due(idle_sleep)
            except Exception:
                # The database may be restarting; the outbox keeps everything until it is back.
                log.exception("LRS forwarder run failed; retrying in %ss", idle_sleep)
                delay = idle_sleep
            stop.wait(delay)

    def waiting(self) -> int:
        """How many entries the LRS has not confirmed yet."""
        with self.session_factory() as session:
            count = session.scalar(select(func.count()).select_from(OutboxEntry).where(_UNFINISHED))
            return int(count or 0)

    # -- the lease ---------------------------------------------------------------------------
    def acquire_lease(self) -> bool:
        """Take the lease if it is free, expired or already ours; one atomic UPDATE decides.

        The row is created on first use. Each step is its own short write transaction, so
        SQLite never has to upgrade a read snapshot to a write (which fails under contention).
        """
        if self._take_lease():
            return True
        with self.session_factory() as session:
            if session.get(ForwarderLease, LEASE_NAME) is not None:
                return False  # someone else holds it
        with self.session_factory() as session:
            session.add(ForwarderLease(name=LEASE_NAME, holder=None, expires_at=self.clock()))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a concurrent forwarder created it first: fine
        return self._take_lease()

    def _take_lease(self) -> bool:
        now = self.clock()
        with self.session_factory() as session:
            result = session.execute(
                update(ForwarderLease)
                .where(
                    ForwarderLease.name == LEASE_NAME,
                    or_(
                        ForwarderLease.holder.is_(None),
                        ForwarderLease.expires_at < now,
                        ForwarderLease.holder == self.holder,
                    ),
                )
                .values(holder=self.holder, expires_at=self._lease_end(now))
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return _rowcount(result) == 1

    def release_lease(self) -> None:
        """Free the lease at once, so the next forwarder need not wait for it to expire."""
        try:
            with self.session_factory() as session:
                session.execute(
                    update(ForwarderLease)
                    .where(ForwarderLease.name == LEASE_NAME, ForwarderLease.holder == self.holder)
                    .values(holder=None, expires_at=self.clock())
                    .execution_options(synchronize_session=False)
                )
                session.commit()
        except Exception:
            # Not fatal: the lease expires by itself after lease_seconds.
            log.exception("could not release the LRS forwarder lease")

    def _renew_lease(self) -> bool:
        """Extend our lease; False if it expired and someone else took it meanwhile."""
        now = self.clock()
        with self.session_factory() as session:
            result = session.execute(
                update(ForwarderLease)
                .where(ForwarderLease.name == LEASE_NAME, ForwarderLease.holder == self.holder)
                .values(expires_at=self._lease_end(now))
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return _rowcount(result) == 1

    def _lease_end(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.lease_seconds)

    # -- the outbox --------------------------------------------------------------------------
    def _load_batch(self) -> list[_Pending]:
        return self._load_unsent(self.batch_size)

    def _load_unsent(self, limit: int) -> list[_Pending]:
        """The first unsent entries in stored order (the head first), read in a short transaction."""
        with self.session_factory() as session:
            rows = session.execute(
                select(
                    OutboxEntry.seq,
                    OutboxEntry.statement_id,
                    OutboxEntry.tries,
                    OutboxEntry.next_try_at,
                    StoredStatement.body,
                )
                .join(StoredStatement, StoredStatement.id == OutboxEntry.statement_id)
                .where(_UNFINISHED)
                .order_by(StoredStatement.seq, OutboxEntry.seq)
                .limit(limit)
            ).all()
            return [_Pending(r[0], r[1], r[2], r[3], _as_sent(r[4])) for r in rows]

    def _head(self) -> dt.datetime | None:
        """When the first unsent entry is due, or None when nothing waits."""
        head = self._load_unsent(1)
        return head[0].next_try_at if head else None

    def _delay_until_head_due(self, idle_sleep: float) -> float:
        due = self._head()
        if due is None:
            return idle_sleep
        seconds = (due - self.clock()).total_seconds()
        # Due now means the run stopped for another reason (e.g. the lease): don't spin.
        return seconds if seconds > 0 else idle_sleep

    def _mark_sent(self, entries: list[_Pending], note: str | None = None) -> None:
        now = self.clock()
        with self.session_factory() as session:
            session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.seq.in_([e.outbox_seq for e in entries]),
                    _UNFINISHED,
                )
                .values(sent_at=now, last_error=note)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _mark_rejected(self, entry: _Pending, error: str) -> None:
        """The LRS refused this statement for good: keep it (and why), and move on."""
        log.error("the LRS rejected statement %s: %s", entry.statement_id, error)
        with self.session_factory() as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.seq == entry.outbox_seq, _UNFINISHED)
                .values(rejected_at=self.clock(), last_error=_short(f"rejected: {error}"))
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _mark_failed(self, entries: list[_Pending], error: str) -> None:
        """Back off the head (and the rest of its batch, queued behind it) and keep the reason."""
        now = self.clock()
        tries = entries[0].tries + 1
        exponent = min(tries - 1, 60)  # 2**60 seconds is already far beyond any max_backoff
        delay = min(self.max_backoff, self.base_backoff * 2**exponent)
        delay *= self._random.uniform(0.9, 1.1)  # so many installations don't retry in lockstep
        with self.session_factory() as session:
            session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.seq.in_([e.outbox_seq for e in entries]),
                    _UNFINISHED,
                )
                .values(
                    tries=OutboxEntry.tries + 1,
                    next_try_at=now + dt.timedelta(seconds=delay),
                    last_error=_short(error),
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()

    # -- HTTP --------------------------------------------------------------------------------
    def _send_batch(self, batch: list[_Pending]) -> tuple[int, str | None]:
        """POST the batch; on 409, 400 or 413 fall back to one PUT per statement, which finds
        the statement the LRS objects to. Returns (sent, error)."""
        try:
            response = self._request("POST", "", [e.body for e in batch])
            if response.status == 409 or response.status in REJECTED_STATUSES:
                return self._put_one_by_one(batch)
            _check_post_response(response, [e.statement_id for e in batch])
        except _REQUEST_ERRORS as exc:
            self._mark_failed(batch, _describe(exc))
            return 0, _describe(exc)
        self._mark_sent(batch)
        return len(batch), None

    def _put_one_by_one(self, batch: list[_Pending]) -> tuple[int, str | None]:
        """Some LRSs refuse a whole batch when one id exists: send each statement on its own."""
        sent = 0
        for index, entry in enumerate(batch):
            if index and not self._renew_lease():
                return sent, LEASE_LOST
            try:
                response = self._request(
                    "PUT", f"?statementId={quote(entry.statement_id, safe='')}", entry.body
                )
                if response.status in (200, 204):
                    self._mark_sent([entry])
                elif response.status == 409:
                    # The LRS has a statement with this id; resending can never change that.
                    self._mark_sent([entry], CONFLICT_NOTE)
                elif response.status in REJECTED_STATUSES:
                    self._mark_rejected(entry, _status_error(response))
                    continue
                else:
                    raise LrsError(_status_error(response))
            except _REQUEST_ERRORS as exc:
                self._mark_failed(batch[index:], _describe(exc))
                return sent, _describe(exc)
            sent += 1
        return sent, None

    def _request(self, method: str, query: str, payload: Any) -> _Response:
        """One request on a fresh connection; redirects are not followed (they count as failures)."""
        url = urlsplit(self.target.statements_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise LrsError(f"unusable LRS endpoint {self.target.endpoint!r}")
        conn: http.client.HTTPConnection
        if url.scheme == "https":
            context = ssl.create_default_context()
            conn = http.client.HTTPSConnection(
                url.hostname, url.port, timeout=self.target.timeout, context=context
            )
        else:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.target.timeout)
        headers = {
            "X-Experience-API-Version": XAPI_VERSION,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if self.target.key or self.target.secret:
            token = f"{self.target.key}:{self.target.secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            conn.request(method, url.path + query, body=body, headers=headers)
            response = conn.getresponse()
            return _Response(response.status, response.read())
        finally:
            conn.close()


# Everything one request can end in other than an answer: refused, reset, timed out, a broken
# status line, an unencodable header (ValueError), or an answer we won't accept (LrsError).
_REQUEST_ERRORS = (LrsError, OSError, http.client.HTTPException, ValueError)


def _as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """The statement as an LRS client sends it: `stored` and `authority` are the LRS's to set."""
    return {k: v for k, v in body.items() if k not in LRS_SET_PROPERTIES}


def _rowcount(result: Any) -> int:
    """Rows matched by an UPDATE (SQLite and PostgreSQL both report matched rows)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _status_error(response: _Response) -> str:
    text = response.body.decode("utf-8", "replace").strip()
    return f"HTTP {response.status}: {text[:_BODY_EXCERPT]}" if text else f"HTTP {response.status}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, LrsError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return f"timeout: {exc}" if str(exc) else "timeout"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _check_post_response(response: _Response, ids: list[str]) -> None:
    """Accept 204, or 200 whose body lists exactly the ids we sent (xAPI 1.0.3 §2.1.2)."""
    if response.status == 204:
        return
    if response.status != 200:
        raise LrsError(_status_error(response))
    try:
        returned = json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LrsError(f"malformed LRS response: {exc}: {response.body[:_BODY_EXCERPT]!r}") from exc
    if not isinstance(returned, list) or not all(isinstance(i, str) for i in returned):
        raise LrsError(f"malformed LRS response: {response.body[:_BODY_EXCERPT]!r}")
    if {i.lower() for i in returned} != {i.lower() for i in ids}:
        raise LrsError(f"LRS confirmed other ids than sent: {response.body[:_BODY_EXCERPT]!r}")


def start_background_forwarder(app: Flask) -> threading.Thread | None:
    """A daemon thread forwarding from the web process, when ELEARN_LRS_FORWARD_THREAD is on.

    Every worker process may start one: the lease makes them take turns. The thread's stop
    event is kept in `app.extensions["elearn"].services["forwarder_stop"]`.
    """
    if not app.config.get("ELEARN_LRS_FORWARD_THREAD"):
        return None
    target = target_from_config(app.config)
    if target is None:
        return None
    state = app.extensions["elearn"]
    forwarder = Forwarder(
        state.session_factory,
        target,
        batch_size=int(app.config.get("ELEARN_LRS_BATCH_SIZE") or 50),
    )
    stop = threading.Event()
    state.services["forwarder_stop"] = stop
    thread = threading.Thread(
        target=forwarder.run_forever, args=(stop,), name="elearn-lrs-forwarder", daemon=True
    )
    thread.start()
    return thread
