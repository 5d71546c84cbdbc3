"""A small, real HTTP LRS on 127.0.0.1 that fails on purpose, for testing what talks to an LRS.

    with FakeLrs() as lrs:
        lrs.fail_next(2, status=503)     # the next two requests get 503
        ...  # point the code under test at lrs.endpoint, lrs.key, lrs.secret
        assert lrs.stored_ids == [...]    # what the LRS holds, in the order it first stored it

It keeps statements by id the way xAPI 1.0.3 requires: the same id with the same content
changes nothing, the same id with other content is a 409. It checks Basic auth (401) and the
X-Experience-API-Version header (400). Failure plans are consumed one request at a time, in
the order they were added:

- `pass_next(n)`                 handle normally (to place a failure after n good requests)
- `fail_next(n, status)`         answer `status` without storing anything
- `drop_next(n)`                 read the request, then close the connection with no answer
- `stall_next(n, seconds)`       wait (longer than the client's timeout), then handle normally:
                                 the client gave up, but the statements may still be stored
- `store_then_fail_next(n)`      store the statements, then answer 500: the success is lost
- `garble_next(n)`               answer 200 with a body that is not a list of ids (a proxy page)
- `hold_next(n)`                 wait until `release_held()`; `held` is set while one waits
- `reject_batches_with_409()`    POSTs containing an id already held (or, with always=True,
                                 every POST) are refused whole with 409, as some LRSs do
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Properties the LRS sets or may overwrite; two statements differing only here are "the same".
IGNORED_FOR_EQUALITY = ("stored", "authority", "version")


@dataclass
class RequestRecord:
    method: str
    path: str
    ids: list[str]
    status: int | None  # None: no answer was sent (dropped)
    plan: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Action:
    kind: str  # pass | fail | drop | stall | store_then_fail | garble | hold
    status: int = 503
    seconds: float = 0.0


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(st: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in st.items() if k not in IGNORED_FOR_EQUALITY}

    return strip(a) == strip(b)


class FakeLrs:
    """An xAPI Statement resource at http://127.0.0.1:<port>/xapi/statements, in a daemon thread."""

    def __init__(self, key: str = "lrs-key", secret: str = "lrs-secret"):
        self.key = key
        self.secret = secret
        self.statements: dict[str, dict[str, Any]] = {}
        self.stored_ids: list[str] = []  # the order in which ids were first stored
        self.requests: list[RequestRecord] = []
        self.held = threading.Event()  # set while a request waits in hold_next
        self.stall_done = threading.Event()  # set when a stalled request has been answered
        self._unstall = threading.Event()
        self._release = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._plan: deque[_Action] = deque()
        self._reject_409 = False
        self._reject_409_always = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeLrs:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.lrs = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes held handlers
        self._unstall.set()  # and stalled ones
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLrs:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the LRS first"
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    # -- failure plans ------------------------------------------------------------------------
    def _add(self, n: int, action: _Action) -> None:
        with self._lock:
            self._plan.extend([action] * n)

    def pass_next(self, n: int = 1) -> None:
        self._add(n, _Action("pass"))

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        self._add(n, _Action("fail", status=status))

    def drop_next(self, n: int = 1) -> None:
        self._add(n, _Action("drop"))

    def stall_next(self, n: int = 1, seconds: float = 30.0) -> None:
        """Hold the next request(s) until `end_stall()` (or `seconds`), then answer normally."""
        self._add(n, _Action("stall", seconds=seconds))

    def end_stall(self) -> None:
        self._unstall.set()

    def store_then_fail_next(self, n: int = 1, status: int = 500) -> None:
        self._add(n, _Action("store_then_fail", status=status))

    def garble_next(self, n: int = 1) -> None:
        self._add(n, _Action("garble", status=200))

    def hold_next(self, n: int = 1) -> None:
        self._release.clear()
        self._add(n, _Action("hold"))

    def release_held(self) -> None:
        self._release.set()

    def reject_batches_with_409(self, enabled: bool = True, *, always: bool = False) -> None:
        with self._lock:
            self._reject_409 = enabled
            self._reject_409_always = enabled and always

    def clear_plan(self) -> None:
        with self._lock:
            self._plan.clear()

    def preload(self, statement: dict[str, Any]) -> None:
        """Put a statement in the LRS as if another client had sent it earlier."""
        with self._lock:
            self._store([statement])

    # -- what tests look at --------------------------------------------------------------------
    def requests_to_statements(self, method: str | None = None) -> list[RequestRecord]:
        return [
            r
            for r in self.requests
            if r.path.endswith("/statements") and (method is None or r.method == method)
        ]

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        for sid in self.stored_ids:
            yield self.statements[sid]

    # -- used by the handler (under self._lock) -------------------------------------------------
    def _next_action(self) -> _Action | None:
        with self._lock:
            return self._plan.popleft() if self._plan else None

    def _store(self, statements: list[dict[str, Any]]) -> None:
        for st in statements:
            if st["id"] not in self.statements:
                self.statements[st["id"]] = st
                self.stored_ids.append(st["id"])


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeLRS/1.0"

    @property
    def lrs(self) -> FakeLrs:
        return self.server.lrs  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    # -- plumbing -------------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: Any = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("X-Experience-API-Version", "1.0.3")
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _record(self, ids: list[str], status: int | None, plan: str | None) -> None:
        with self.lrs._lock:
            self.lrs.requests.append(
                RequestRecord(
                    self.command,
                    urlsplit(self.path).path,
                    ids,
                    status,
                    plan,
                    {k.lower(): v for k, v in self.headers.items()},
                )
            )

    def _auth_ok(self) -> bool:
        expected = base64.b64encode(f"{self.lrs.key}:{self.lrs.secret}".encode()).decode()
        return self.headers.get("Authorization", "") == f"Basic {expected}"

    # -- methods --------------------------------------------------------------------------------
    def do_POST(self) -> None:
        self._handle(self._body())

    def do_PUT(self) -> None:
        self._handle(self._body())

    def do_GET(self) -> None:
        self._handle(b"")

    def _handle(self, raw: bytes) -> None:
        lrs = self.lrs
        url = urlsplit(self.path)
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        ids = _ids_of(parsed)
        action = lrs._next_action()
        plan = action.kind if action else None

        if action and action.kind == "fail":
            self._record(ids, action.status, plan)
            self._send(action.status, {"error": "planned failure", "status": action.status})
            return
        if action and action.kind == "garble":
            self._record(ids, 200, plan)
            data = b"<html><body>Welcome to the captive portal</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if action and action.kind == "drop":
            self._record(ids, None, plan)
            self.close_connection = True
            return  # no status line: the client sees the connection close
        if action and action.kind == "stall":
            lrs._unstall.wait(action.seconds)
        if action and action.kind == "hold":
            lrs.held.set()
            lrs._release.wait(30)
            lrs.held.clear()

        status, payload = self._respond(url.path, url.query, raw, parsed)
        if action and action.kind == "store_then_fail" and status in (200, 204):
            status, payload = action.status, {"error": "stored, then failed on purpose"}
        self._record(ids, status, plan)
        with contextlib.suppress(OSError):  # the client may have timed out and gone (stall)
            self._send(status, payload)
        if action and action.kind == "stall":
            lrs.stall_done.set()

    def _respond(self, path: str, query: str, raw: bytes, parsed: Any) -> tuple[int, Any]:
        """The actual LRS: validation, then the Statement resource."""
        if not path.rstrip("/").endswith("/xapi/statements"):
            return 404, {"error": "not found"}
        if not self._auth_ok():
            return 401, {"error": "bad or missing Basic auth"}
        if not self.headers.get("X-Experience-API-Version", "").startswith("1.0"):
            return 400, {"error": "missing or unsupported X-Experience-API-Version"}
        params = parse_qs(query)
        if self.command == "GET":
            return self._get(params)
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return 400, {"error": "Content-Type must be application/json"}
        if parsed is None:
            return 400, {"error": "body is not JSON"}
        if self.command == "PUT":
            return self._put(params, parsed)
        if self.command == "POST":
            return self._post(parsed)
        return 405, {"error": "method not allowed"}

    def _get(self, params: dict[str, list[str]]) -> tuple[int, Any]:
        lrs = self.lrs
        with lrs._lock:
            if "statementId" in params:
                st = lrs.statements.get(params["statementId"][0])
                return (200, st) if st is not None else (404, {"error": "no such statement"})
            return 200, {"statements": list(lrs.iter_stored()), "more": ""}

    def _put(self, params: dict[str, list[str]], st: Any) -> tuple[int, Any]:
        lrs = self.lrs
        if "statementId" not in params or not isinstance(st, dict):
            return 400, {"error": "PUT needs ?statementId= and one statement"}
        sid = params["statementId"][0]
        if st.get("id", sid) != sid:
            return 400, {"error": "statementId and the statement's id differ"}
        st = {**st, "id": sid}
        with lrs._lock:
            existing = lrs.statements.get(sid)
            if existing is not None:
                return (204, None) if _same(existing, st) else (409, {"error": "id exists"})
            lrs._store([st])
        return 204, None

    def _post(self, parsed: Any) -> tuple[int, Any]:
        lrs = self.lrs
        batch = parsed if isinstance(parsed, list) else [parsed]
        if not all(isinstance(st, dict) for st in batch):
            return 400, {"error": "statements must be objects"}
        batch = [st if "id" in st else {**st, "id": str(uuid.uuid4())} for st in batch]
        ids = [st["id"] for st in batch]
        if len(set(ids)) != len(ids):
            return 400, {"error": "the same id twice in one batch"}
        with lrs._lock:
            known = [sid for sid in ids if sid in lrs.statements]
            if lrs._reject_409_always or (lrs._reject_409 and known):
                return 409, {"error": "batch refused: an id already exists", "ids": known}
            for st in batch:
                existing = lrs.statements.get(st["id"])
                if existing is not None and not _same(existing, st):
                    return 409, {"error": f"{st['id']} exists with other content"}
            lrs._store(batch)
        return 200, ids


def _ids_of(parsed: Any) -> list[str]:
    items = parsed if isinstance(parsed, list) else [parsed] if isinstance(parsed, dict) else []
    return [str(st.get("id")) for st in items if isinstance(st, dict) and "id" in st]
