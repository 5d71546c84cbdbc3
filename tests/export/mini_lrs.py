"""A small Learning Record Store on loopback for the cmi5 and xAPI package tests: statements
(POST/PUT/GET), activity state documents (GET/PUT/DELETE), agent profiles (GET), the cmi5 fetch
token endpoint (a token is handed out once per launch), and the unzipped package as static files
on the same origin. It records everything so tests can assert on what the package sent."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: list[dict[str, Any]] = []
        self.state: dict[tuple[str, str, str, str], bytes] = {}
        self.profiles: dict[tuple[str, str], bytes] = {}
        self.tokens: dict[str, str] = {}  # fetch id -> token, removed once fetched
        self.auth: set[str] = set()  # Authorization values that are accepted
        self.problems: list[str] = []

    def add_token(self, fetch_id: str, token: str) -> None:
        self.tokens[fetch_id] = token
        self.auth.add(f"Basic {token}")

    def state_key(self, q: dict[str, str]) -> tuple[str, str, str, str]:
        agent = json.dumps(json.loads(q.get("agent", "{}")), sort_keys=True)
        return (q.get("stateId", ""), q.get("activityId", ""), agent, q.get("registration", ""))

    def put_state(self, q: dict[str, str], body: bytes) -> None:
        self.state[self.state_key(q)] = body

    def verbs(self) -> list[str]:
        return [s["verb"]["id"].rsplit("/", 1)[1] for s in self.statements]


class Handler(SimpleHTTPRequestHandler):
    store: Store

    def log_message(self, *_args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header(
            "Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version"
        )
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
        super().end_headers()

    def _reply(self, status: int, body: Any = None, ctype: str = "application/json") -> None:
        data = (
            b""
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _xapi(self) -> tuple[str, dict[str, str]] | None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/xapi/"):
            return None
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if self.headers.get("Authorization") not in self.store.auth:
            self.store.problems.append(f"bad auth on {self.command} {parts.path}")
            self._reply(401, {"error": "unauthorised"})
            return ("", {})
        if not self.headers.get("X-Experience-API-Version"):
            self.store.problems.append(f"no version header on {self.command} {parts.path}")
        return parts.path[len("/xapi/") :], q

    def do_OPTIONS(self) -> None:
        self._reply(204)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/fetch/"):
            with self.store.lock:
                token = self.store.tokens.pop(path[len("/fetch/") :], None)
            if token is None:
                self._reply(200, {"error-code": "1", "error-text": "already fetched"})
            else:
                self._reply(200, {"auth-token": token})
            return
        found = self._xapi()
        if found is None or not found[0]:
            return
        route, _ = found
        if route == "statements":
            data = json.loads(self._body())
            items = data if isinstance(data, list) else [data]
            with self.store.lock:
                self.store.statements.extend(items)
            self._reply(200, [s.get("id") for s in items])
            return
        self._reply(404)

    def do_PUT(self) -> None:
        found = self._xapi()
        if found is None:
            self._reply(404)
            return
        route, q = found
        if not route:
            return
        body = self._body()
        with self.store.lock:
            if route == "activities/state":
                self.store.put_state(q, body)
            elif route == "statements":
                self.store.statements.append(json.loads(body))
        self._reply(204)

    def do_DELETE(self) -> None:
        found = self._xapi()
        if found and found[0] == "activities/state":
            self.store.state.pop(self.store.state_key(found[1]), None)
            self._reply(204)

    def do_GET(self) -> None:
        found = self._xapi()
        if found is None:
            super().do_GET()
            return
        route, q = found
        if not route:
            return
        if route == "activities/state":
            doc = self.store.state.get(self.store.state_key(q))
            self._reply(404) if doc is None else self._reply(200, doc, "application/octet-stream")
        elif route == "agents/profile":
            agent = json.dumps(json.loads(q.get("agent", "{}")), sort_keys=True)
            doc = self.store.profiles.get((q.get("profileId", ""), agent))
            self._reply(404) if doc is None else self._reply(200, doc)
        elif route == "statements":
            self._reply(200, {"statements": self.store.statements, "more": ""})
        else:
            self._reply(404)


@contextmanager
def mini_lrs(root: Path) -> Iterator[tuple[str, Store]]:
    """(base URL, store): the LRS under /xapi/, fetch under /fetch/<id>, files of `root`."""
    store = Store()
    handler = functools.partial(type("H", (Handler,), {"store": store}), directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
