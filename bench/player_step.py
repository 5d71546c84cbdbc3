"""Benchmark: the player's step page under concurrent load, served by gunicorn with 2 workers.

    .venv/bin/python bench/player_step.py [--seconds 20] [--concurrency 8] [--database-url URL]

Starts gunicorn on a fresh database (SQLite in a temporary folder unless --database-url is
given), imports courses/, registers one learner per client, starts the sample course for each,
then has every client GET its current step page over HTTP as fast as it can.
Prints requests/second, p50/p95/p99 latency, errors, and the machine it ran on. Nothing here is
asserted: the figures are for reading, not for a test to pass or fail on.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


class Client:
    """One learner: an HTTP connection (reopened when the server closes it) and a cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read().decode()
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return resp.status, resp.headers.get("Location", ""), data


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def prepare(port: int, n: int) -> list[tuple[Client, str]]:
    clients = []
    for i in range(n):
        c = Client(port)
        _, _, page = c.request("GET", "/register")
        status, _, _ = c.request(
            "POST",
            "/register",
            {"csrf_token": csrf(page), "email": f"bench{i}@example.org",
             "password": "benchmark password", "audience": "teacher"},
        )  # fmt: skip
        assert status == 302, status
        _, _, page = c.request("GET", "/c/sample-course")
        status, location, _ = c.request(
            "POST", "/c/sample-course/start", {"csrf_token": csrf(page)}
        )
        assert status == 302, status
        path = urlsplit(location).path
        status, _, _ = c.request("GET", path)
        assert status == 200, status
        clients.append((c, path))
    return clients


def load(clients: list[tuple[Client, str]], seconds: float) -> tuple[list[float], int, float]:
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0]
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(i: int, client: Client, path: str) -> None:
        out = latencies[i]
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                status, _, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
                client.conn.close()
            out.append(time.perf_counter() - t0)
            if status != 200:
                with lock:
                    errors[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i, c, p)) for i, (c, p) in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return [x for lat in latencies for x in lat], errors[0], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    env = dict(os.environ)
    env.update(
        ELEARN_DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        ELEARN_SECRET_KEY="bench",
        ELEARN_COURSES_DIR=str(ROOT / "courses"),
        FLASK_APP=str(ROOT / "wsgi.py"),
    )
    if args.database_url.startswith("postgresql"):
        # A clean slate: the benchmark owns this database while it runs.
        subprocess.run(
            [str(BIN / "python"), "-c",
             "import os; from sqlalchemy import text; from elearn.db import make_engine\n"
             "e = make_engine(os.environ['ELEARN_DATABASE_URL'])\n"
             "with e.begin() as c:\n"
             "    for (n,) in c.execute(text(\"select tablename from pg_tables where tablename like 'elearn_%'\")).all():\n"
             "        c.execute(text(f'drop table if exists \"{n}\" cascade'))\n"],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
    subprocess.run([str(BIN / "flask"), "elearn", "demo"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        clients = prepare(port, args.concurrency)
        load(clients, 2)  # warm-up: caches, connection pools
        latencies, errors, elapsed = load(clients, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    db = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print("elearn benchmark: GET the player's step page (sample-course, first node)")
    print(f"machine:     {machine()}")
    print(
        f"server:      gunicorn, {args.workers} sync workers, {db}; load generator on the same machine"
    )
    print(
        f"clients:     {args.concurrency} concurrent clients, {args.seconds:.0f} s (sync workers close each connection)"
    )
    print(f"requests:    {len(latencies)} ({errors} errors)")
    print(f"throughput:  {len(latencies) / elapsed:.1f} requests/second")
    print(
        f"latency:     p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
