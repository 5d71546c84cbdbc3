"""LRS benchmark: gunicorn + PostgreSQL, statements over real HTTP, up to 1,000,000 stored.

    python bench/lrs_load.py                      # 1,000,000 statements, database elearn_bench
    python bench/lrs_load.py --statements 100000  # a quicker run

What it does, and why each figure is measured the way it is:
1. Creates (or empties) the PostgreSQL database, migrates it and creates an LRS client.
2. Preloads statements with COPY (bodies and key rows made by the same code the store uses:
   `statement_keys`), because pushing 1M statements through HTTP would take the whole run;
   ingestion *rates* are measured over HTTP only (step 4).
3. Starts gunicorn (3 gthread workers x 4 threads) on the app, as in production.
4. Ingestion over HTTP: single-statement POSTs and batches of 50, 8 concurrent clients with
   keep-alive connections, for a fixed time each: statements/s and p50/p95 request latency.
5. Filtered GETs at the full size: agent, verb, activity, registration, since (limit=100),
   p50/p95 over 200 requests each with random values.
6. Pages through *everything* with `more` (500 per page) while sampling the RSS of the
   gunicorn workers: memory must stay flat.
It prints the figures and the machine (CPU model, cores, RAM). It asserts nothing: timing
belongs in a report, not in a test.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from elearn.db import make_engine  # noqa: E402
from elearn.migrate import upgrade_database  # noqa: E402
from elearn.tracking.keys import statement_keys  # noqa: E402
from elearn.tracking.statements import actor_key  # noqa: E402

SECRET_KEY = "lrs-bench-secret"
VERBS = [
    f"http://adlnet.gov/expapi/verbs/{v}"
    for v in (
        *("launched", "initialized", "experienced", "answered", "progressed", "completed"),
        *("passed", "failed", "terminated", "suspended", "resumed"),
    )
]
HOME = "https://kurs.example.kommune.no"
N_AGENTS = 20_000
N_ACTIVITIES = 5_000


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        "unknown CPU",
    )
    mem = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    pg = subprocess.run(["psql", "-V"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {int(mem) // 1024} MiB RAM, Python {sys.version.split()[0]}, {pg}"


class World:
    """Agents, activities and registrations the statements are drawn from."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.agents = [
            {
                "objectType": "Agent",
                "account": {
                    "homePage": HOME,
                    "name": str(uuid.UUID(int=self.rng.getrandbits(128))),
                },
            }
            for _ in range(N_AGENTS)
        ]
        self.activities = [
            f"{HOME}/xapi/courses/c{i // 50}/scenarios/s{i % 50}" for i in range(N_ACTIVITIES)
        ]
        self.registrations = [
            str(uuid.UUID(int=self.rng.getrandbits(128))) for _ in range(N_AGENTS)
        ]

    def statement(self, i: int | None = None) -> dict[str, Any]:
        rng = self.rng
        a = rng.randrange(N_AGENTS)
        act = rng.choice(self.activities)
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": self.agents[a],
            "verb": {"id": rng.choice(VERBS), "display": {"en-US": "did"}},
            "object": {
                "objectType": "Activity",
                "id": act,
                "definition": {
                    "type": "http://adlnet.gov/expapi/activities/module",
                    "name": {"nb-NO": "Scenario"},
                },
            },
            "result": {"response": "choice-a", "success": True},
            "context": {
                "registration": self.registrations[a],
                "contextActivities": {"parent": [{"id": act.rsplit("/scenarios", 1)[0]}]},
                "platform": "elearn",
                "language": "nb-NO",
            },
            "timestamp": "2026-05-01T10:00:00.000Z",
        }


# -- database ------------------------------------------------------------------------------
def prepare_database(url: str, dbname: str, in_place: bool = False) -> Any:
    """A fresh, migrated database: dropped and created again, or (`in_place`, for a database
    one may use but not drop) its public schema emptied."""
    if in_place:
        wipe = make_engine(url, isolation_level="AUTOCOMMIT")
        with wipe.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        wipe.dispose()
    else:
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        admin.dispose()
    engine = make_engine(url)
    upgrade_database(engine)
    return engine


def create_client(engine: Any) -> tuple[str, str]:
    from elearn.db import session_factory_for
    from elearn.lrs.auth import create_client as make

    session = session_factory_for(engine)()
    client, secret = make(session, "bench", "all", SECRET_KEY)
    session.commit()
    key = client.key
    session.close()
    return key, secret


def _copy_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def preload(engine: Any, world: World, count: int) -> float:
    """COPY `count` statements (and their key rows) with stored times over the last 30 days."""
    started = time.perf_counter()
    authority = json.dumps(
        {"objectType": "Agent", "name": "bench", "account": {"homePage": HOME, "name": "preload"}}
    )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("ALTER TABLE elearn_statement_keys DROP CONSTRAINT pk_elearn_statement_keys")
        raw.commit()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        span = 30 * 24 * 3600
        chunk = 50_000
        for start in range(0, count, chunk):
            rows, keys = io.StringIO(), io.StringIO()
            for seq in range(start + 1, min(count, start + chunk) + 1):
                body = world.statement()
                stored = now - dt.timedelta(seconds=span * (count - seq) / count)
                stored = stored.replace(microsecond=stored.microsecond // 1000 * 1000)
                iso = stored.isoformat(timespec="milliseconds") + "Z"
                body["stored"], body["version"] = iso, "1.0.0"
                body["authority"] = json.loads(authority)
                st_json = json.dumps(body, separators=(",", ":"))
                rows.write(
                    f"{seq}\t{body['id']}\t{body['context']['registration']}\t{_copy_escape(actor_key(body['actor']))}\t"
                    f"{body['verb']['id']}\t{body['object']['id']}\t2026-05-01 10:00:00\t{stored.isoformat()}\tf\t{_copy_escape(st_json)}\n"
                )
                for kind, key in statement_keys(body):
                    keys.write(f"{seq}\t{kind}\t{key}\t{stored.isoformat()}\n")
            rows.seek(0)
            keys.seek(0)
            with cur.copy(
                "COPY elearn_statements (seq, id, registration, actor_key, verb_id, activity_id, timestamp, stored, voided, body) FROM STDIN"
            ) as copy:
                copy.write(rows.read())
            with cur.copy("COPY elearn_statement_keys (seq, kind, key, stored) FROM STDIN") as copy:
                copy.write(keys.read())
            raw.commit()
            print(
                f"  preloaded {min(count, start + chunk):,} statements ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        print("  building key indexes …", flush=True)
        cur.execute(
            "ALTER TABLE elearn_statement_keys ADD CONSTRAINT pk_elearn_statement_keys "
            "PRIMARY KEY (kind, key, stored, seq)"
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('elearn_statements', 'seq'), %s)", (count + 1,)
        )
        raw.commit()
        raw.driver_connection.autocommit = True
        cur.execute("VACUUM ANALYZE elearn_statements")
        cur.execute("VACUUM ANALYZE elearn_statement_keys")
    finally:
        raw.close()
    return time.perf_counter() - started


# -- HTTP ----------------------------------------------------------------------------------
class Client:
    def __init__(self, port: int, key: str, secret: str):
        self.port = port
        self.headers = {
            "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "X-Experience-API-Version": "1.0.3",
        }
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes, float]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, data, time.perf_counter() - started
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def ingest(
    port: int, key: str, secret: str, world: World, batch: int, seconds: float, clients: int
) -> dict[str, float]:
    """Every payload is sent once (fresh statement ids), from a pool built before the clock runs."""
    latencies: list[float] = []
    stored = [0]
    errors = [0]
    lock = threading.Lock()
    pool_size = 30_000 if batch == 1 else 2_400
    pool = iter(
        [
            json.dumps(
                [world.statement() for _ in range(batch)] if batch > 1 else world.statement()
            ).encode()
            for _ in range(pool_size)
        ]
    )
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        client = Client(port, key, secret)
        while time.perf_counter() < deadline:
            with lock:
                payload = next(pool, None)
            if payload is None:
                return
            status, _, took = client.call("POST", "/xapi/statements", payload)
            with lock:
                if status == 200:
                    latencies.append(took)
                    stored[0] += batch
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "rate": stored[0] / elapsed,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "requests": len(latencies),
        "errors": errors[0],
    }


def filtered_gets(
    port: int, key: str, secret: str, world: World, n: int = 200
) -> dict[str, tuple[float, float]]:
    client = Client(port, key, secret)
    rng = random.Random(11)
    since = (
        (dt.datetime.now(dt.UTC) - dt.timedelta(hours=6))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    makers = {
        "agent": lambda: {"agent": json.dumps(rng.choice(world.agents))},
        "verb": lambda: {"verb": rng.choice(VERBS)},
        "activity": lambda: {"activity": rng.choice(world.activities)},
        "registration": lambda: {"registration": rng.choice(world.registrations)},
        "since": lambda: {"since": since},
    }
    out = {}
    for name, make in makers.items():
        times = []
        for _ in range(n):
            params = make() | {"limit": "100"}
            status, body, took = client.call(
                "GET", "/xapi/statements?" + urlencode(params, quote_via=quote)
            )
            assert status == 200, body[:300]
            times.append(took)
        out[name] = (pct(times, 50), pct(times, 95))
    return out


def worker_rss(master_pid: int) -> int:
    total = 0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                total += int(line.split()[1])
    return total // 1024


def page_everything(port: int, key: str, secret: str, master_pid: int) -> dict[str, Any]:
    client = Client(port, key, secret)
    path = "/xapi/statements?limit=500"
    count = pages = 0
    rss = [worker_rss(master_pid)]
    page_times = []
    started = time.perf_counter()
    while path:
        status, body, took = client.call("GET", path)
        assert status == 200, body[:300]
        result = json.loads(body)
        count += len(result["statements"])
        pages += 1
        page_times.append(took)
        path = result["more"]
        if pages % 50 == 0:
            rss.append(worker_rss(master_pid))
    rss.append(worker_rss(master_pid))
    return {
        "statements": count,
        "pages": pages,
        "seconds": time.perf_counter() - started,
        "page_p50": pct(page_times, 50),
        "page_p95": pct(page_times, 95),
        "rss_start": rss[0],
        "rss_max": max(rss),
        "rss_end": rss[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/elearn_bench"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=20.0, help="per ingestion measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="empty the database's schema instead of dropping and creating the database",
    )
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    world = World()
    if args.reuse:
        engine = make_engine(args.url)
        world.rng.seed(time.time())  # fresh statement ids
    else:
        engine = prepare_database(args.url, args.url.rsplit("/", 1)[1], args.in_place)
    key, secret = create_client(engine)
    if not args.reuse:
        print(f"Preloading {args.statements:,} statements with COPY …", flush=True)
        took = preload(engine, world, args.statements)
        print(f"Preloaded in {took:.0f} s")
    engine.dispose()

    env = os.environ | {
        "ELEARN_DATABASE_URL": args.url,
        "ELEARN_SECRET_KEY": SECRET_KEY,
        "ELEARN_LRS_ENDPOINT": "",
    }
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "3",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                Client(args.port, key, secret).call("GET", "/xapi/about")
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"\nIngestion over HTTP ({args.clients} concurrent clients, {args.seconds:.0f} s each):"
        )
        for batch in (1, 50):
            r = ingest(args.port, key, secret, world, batch, args.seconds, args.clients)
            label = "single POSTs   " if batch == 1 else "batches of 50  "
            print(
                f"  {label} {r['rate']:8.0f} statements/s   request p50 {r['p50']:6.1f} ms   p95 {r['p95']:6.1f} ms   ({r['requests']} requests, {r['errors']} errors)"
            )
        with make_engine(args.url).connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM elearn_statements")).scalar()
        print(f"\nFiltered GETs (limit=100) with {total:,} statements stored:")
        for name, (p50, p95) in filtered_gets(args.port, key, secret, world).items():
            print(f"  {name:13s} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
        print("\nPaging through everything with `more` (500 per page):")
        r = page_everything(args.port, key, secret, gunicorn.pid)
        print(
            f"  {r['statements']:,} statements in {r['pages']:,} pages, {r['seconds']:.0f} s; page p50 {r['page_p50']:.1f} ms, p95 {r['page_p95']:.1f} ms\n"
            f"  gunicorn workers' RSS: {r['rss_start']} MiB at start, {r['rss_max']} MiB max, {r['rss_end']} MiB at end"
        )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)


if __name__ == "__main__":
    main()
