"""How fast the reports answer on PostgreSQL with an organisation of 10,000 learners and
2 million statements: the unit report (completion per person) and the choice distribution.

    .venv/bin/python bench/reports.py [--database-url URL] [--learners N] [--statements N]
                                      [--runs N] [--reseed]

A separate database (default `elearn_bench` on 127.0.0.1; created, migrated and seeded on the
first run, reused afterwards unless --reseed) gets one municipality with 40 schools of 250
learners each, the four courses of courses/ and their statements, written the way the player
writes them (StatementBuilder: the same actors, verbs, activities, results and definitions),
with COPY. Each learner plays random paths through random courses until they have about 200
statements; 15 % never start the school course. The school course is assigned to the whole
municipality.

Then a unit leader (one school, 250 people) and the org admin (all 10,000) ask for the pages
through the real app (Flask's test client: routing, login, access checks, the queries, the
audit entry, the template), ~30 times each; the query alone is timed too. Prints p50/p95 and
the machine. Asserts nothing: figures, not a test.

Reusing the seeded data on a branch with a newer migration, without touching the shared copy:
`CREATE DATABASE elearn_bench_x TEMPLATE elearn_bench STRATEGY FILE_COPY` (about 2 min), then
`--database-url …/elearn_bench_x`: the migrations run on it first (0013 fills `response` in one
UPDATE, ~13 min under load on 2 M statements), then VACUUM ANALYZE. The statement-key rows the LRS's GET
/statements filters use are not seeded (the reports do not read them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elearn.accounts.models import Assignment, Membership, Organisation, User  # noqa: E402
from elearn.app import create_app  # noqa: E402
from elearn.content.service import CourseVersions, import_course  # noqa: E402
from elearn.db import make_engine, session_factory_for  # noqa: E402
from elearn.migrate import upgrade_database  # noqa: E402
from elearn.reports import service  # noqa: E402
from elearn.tracking.statements import (  # noqa: E402
    StatementBuilder,
    choice_result,
    progress_result,
    score_result,
)

HOME = "https://kurs.example.kommune.no"
BASE = "https://kurs.example.kommune.no/xapi"
UNITS = 40
ASSIGNED = "skole-19b"
PASSWORD = "bench password 123"
REG0 = "00000000-0000-4000-8000-000000000000"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        "unknown CPU",
    )
    mem = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    return f"{cpu}, {os.cpu_count()} cores, {int(mem) // 1024} MiB RAM, Python {sys.version.split()[0]}"


def _esc(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class Templates:
    """Each statement the player can send for a course, as JSON with holes for the id, actor,
    registration and timestamp: 2 M statements without 2 M calls to tincan."""

    def __init__(self, builder: StatementBuilder, compiled: dict[str, Any]):
        self.b, self.c = builder, compiled
        self.cache: dict[tuple[Any, ...], tuple[str, str, str]] = {}

    def _make(self, verb: str, obj: Any, **kw: Any) -> tuple[str, str, str]:
        body = self.b.build(
            verb, xapi_id="@@ACTOR@@", registration=REG0, obj=obj, course=self.c,
            content_hash="bench", language="nb", **kw,
        )  # fmt: skip
        body["id"], body["timestamp"] = "@@ID@@", "@@TS@@"
        body["stored"], body["version"] = "@@TS@@", "1.0.0"
        body["authority"] = self.b.authority()
        return body["verb"]["id"], body["object"]["id"], json.dumps(body, ensure_ascii=False)

    def get(self, key: tuple[Any, ...], make: Any) -> tuple[str, str, str]:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def course(self, verb: str, key: Any = None, **kw: Any) -> tuple[str, str, str]:
        """`key` tells apart statements of one verb with different results."""
        return self.get(
            ("course", verb, key), lambda: self._make(verb, self.b.course_activity(self.c), **kw)
        )

    def node(self, verb: str, scenario: dict, node_id: str, choice: dict | None = None) -> Any:
        def make() -> tuple[str, str, str]:
            extra = {"result": choice_result(choice)} if choice else {}
            return self._make(
                verb, self.b.node_activity(self.c, scenario, scenario["nodes"][node_id]),
                parent=self.b.scenario_activity(self.c, scenario),
                grouping=self.b.course_activity(self.c), **extra,
            )  # fmt: skip

        return self.get(("node", verb, scenario["id"], node_id, choice and choice["id"]), make)

    def scenario_done(self, scenario: dict) -> tuple[str, str, str]:
        return self.get(
            ("sdone", scenario["id"]),
            lambda: self._make(
                "completed", self.b.scenario_activity(self.c, scenario),
                parent=self.b.course_activity(self.c),
                result=score_result(3, 0, 6, 0.5, completion=True),
            ),
        )  # fmt: skip


def attempt(t: Templates, rng: random.Random, finish: bool) -> list[tuple[str, str, str]]:
    """One attempt's statements: random decision points of each scenario in order, a random
    choice at each; an unfinished attempt stops somewhere in the middle."""
    out = [t.course("launched"), t.course("initialized")]
    scenarios = t.c["scenarios"]
    stop = None if finish else rng.randrange(1, 12)
    answered = 0
    for scenario in scenarios:
        decisions = [n for n, node in scenario["nodes"].items() if node.get("choices")]
        path = sorted(
            rng.sample(decisions, min(len(decisions), rng.randint(3, 6))), key=decisions.index
        )
        out.append(t.node("experienced", scenario, path[0]))
        for i, node_id in enumerate(path):
            choice = rng.choice(scenario["nodes"][node_id]["choices"])
            out.append(t.node("answered", scenario, node_id, choice))
            out.append(t.node("experienced", scenario, path[min(i + 1, len(path) - 1)]))
            pct = rng.randrange(0, 100, 10)
            out.append(t.course("progressed", pct, result=progress_result(pct)))
            answered += 1
            if stop is not None and answered >= stop:
                return out
        out.append(t.scenario_done(scenario))
    passed = rng.random() < 0.8
    score = score_result(20, -5, 30, 0.7, completion=True, seconds=1800)
    out.append(t.course("completed", result=score))
    out.append(t.course("passed" if passed else "failed", result=score))
    out.append(t.course("terminated"))
    return out


def prepare(url: str, reseed: bool) -> Any:
    dbname = url.rsplit("/", 1)[1]
    admin = make_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": dbname})
        if reseed and exists:
            conn.execute(text(f'DROP DATABASE "{dbname}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    admin.dispose()
    engine = make_engine(url)
    before = _revision(engine)
    upgrade_database(engine)
    if before is not None and before != _revision(engine):
        # A migration that filled a column (0013: `response`) leaves the rows it rewrote out
        # of the visibility map: VACUUM, as autovacuum would soon after, so the index-only
        # scans stay index-only.
        print(
            f"migrated {before} → {_revision(engine)}; VACUUM ANALYZE elearn_statements", flush=True
        )
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE elearn_statements"))
        print(f"  vacuumed in {time.perf_counter() - t0:.0f} s", flush=True)
    return engine


def _revision(engine: Any) -> str | None:
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT to_regclass('elearn_alembic_version') IS NOT NULL")):
            return None
        return conn.scalar(text("SELECT version_num FROM elearn_alembic_version"))


def seed(engine: Any, learners: int, statements: int) -> None:
    started = time.perf_counter()
    session = session_factory_for(engine)()
    for course in ("skole-19b", "sample-course", "helse-22", "voksenopplaering-24"):
        import_course(session, ROOT / "courses" / course)
    session.commit()
    top = Organisation(slug="bench-kommune", name="Benchkommune", kind="municipality")
    session.add(top)
    session.flush()
    units = [
        Organisation(slug=f"skole-{i:02d}", name=f"Skole {i:02d}", kind="school", parent_id=top.id)
        for i in range(UNITS)
    ]
    session.add_all(units)
    session.flush()
    session.add(
        Assignment(course_id=ASSIGNED, organisation_id=top.id, due_date=dt.date(2027, 6, 1))
    )
    leader = User(
        email="rektor@bench.no", role="learner", organisation_id=top.id, display_name="Rektor"
    )
    orgadmin = User(
        email="admin@bench.no", role="org_admin", organisation_id=top.id, display_name="Admin"
    )
    for u in (leader, orgadmin):
        u.set_password(PASSWORD)
    session.add_all([leader, orgadmin])
    session.flush()
    session.add(Membership(user_id=leader.id, organisation_id=units[0].id, role="unit_leader"))
    session.add(Membership(user_id=orgadmin.id, organisation_id=top.id, role="org_admin"))
    session.commit()
    unit_ids = [u.id for u in units]
    top_id = top.id
    compiled = {
        c.id: c.compiled
        for c in (CourseVersions().current(session, cid) for cid in
                  ("skole-19b", "sample-course", "helse-22", "voksenopplaering-24"))
        if c is not None
    }  # fmt: skip
    session.close()
    _seed_people_and_statements(engine, learners, statements, compiled, unit_ids, top_id, started)


def _indexes_off(cur: Any) -> list[str]:
    """Drops the statement table's indexes that back no constraint (COPY is much faster
    without them); returns their definitions, to build them again afterwards in one go."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'elearn_statements' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    )
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _copy_people(
    cur: Any, rng: random.Random, learners: int, unit_ids: list[int], top_id: int
) -> list[str]:
    """The learners (pseudonyms and names) and their places in the units, with COPY."""
    xapi_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(learners)]
    users, members = io.StringIO(), io.StringIO()
    for i, xid in enumerate(xapi_ids):
        users.write(
            f"learner{i}@bench.no\tx\tteacher\tlearner\t{top_id}\t{xid}\t0\t0\tLærer {i:05d}\tt\t2026-01-01\n"
        )
    users.seek(0)
    with cur.copy(
        "COPY elearn_users (email, password_hash, audience, role, organisation_id, xapi_id, "
        "failed_logins, session_generation, display_name, active, created_at) FROM STDIN"
    ) as copy:
        copy.write(users.read())
    cur.execute("SELECT id, xapi_id FROM elearn_users WHERE email LIKE 'learner%%@bench.no'")
    ids = dict((x, i) for i, x in cur.fetchall())
    for n, xid in enumerate(xapi_ids):
        members.write(f"{ids[xid]}\t{unit_ids[n * UNITS // learners]}\tlearner\t2026-01-01\n")
    members.seek(0)
    with cur.copy(
        "COPY elearn_memberships (user_id, organisation_id, role, created_at) FROM STDIN"
    ) as copy:
        copy.write(members.read())

    return xapi_ids


def _seed_people_and_statements(
    engine: Any,
    learners: int,
    statements: int,
    compiled: dict[str, Any],
    unit_ids: list[int],
    top_id: int,
    started: float,
) -> None:
    builder = StatementBuilder(BASE, HOME)
    templates = {cid: Templates(builder, c) for cid, c in compiled.items()}
    rng = random.Random(13)
    raw = engine.raw_connection()
    cur = raw.cursor()
    per_learner = statements / learners
    xapi_ids = _copy_people(cur, rng, learners, unit_ids, top_id)
    raw.commit()
    cur.execute("SET synchronous_commit TO off")
    indexes = _indexes_off(cur)
    raw.commit()
    written = 0
    buf = io.StringIO()
    start = dt.datetime(2026, 6, 1)
    for n, xid in enumerate(xapi_ids):
        actor = f"account:{HOME}|{xid}"
        budget = int(per_learner * (n + 1)) - written
        skip_assigned = rng.random() < 0.15
        while budget > 0:
            cid = rng.choice([c for c in compiled if not (skip_assigned and c == ASSIGNED)])
            batch = attempt(templates[cid], rng, finish=rng.random() < 0.7)[:budget]
            budget -= len(batch)
            registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            moment = start + dt.timedelta(seconds=rng.randrange(0, 180 * 86400))
            for verb, activity, body in batch:
                moment += dt.timedelta(seconds=rng.randint(15, 90))
                stamp = moment.isoformat(timespec="milliseconds") + "Z"
                sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                filled = (
                    body.replace("@@ID@@", sid).replace("@@ACTOR@@", xid)
                    .replace(REG0, registration).replace("@@TS@@", stamp)
                )  # fmt: skip
                buf.write(
                    f"{sid}\t{registration}\t{_esc(actor)}\t{verb}\t{_esc(activity)}\t"
                    f"{moment}\t{moment}\tf\t{top_id}\t{_esc(filled)}\n"
                )
                written += 1
        if n % 500 == 499 or n == learners - 1:
            buf.seek(0)
            with cur.copy(
                "COPY elearn_statements (id, registration, actor_key, verb_id, activity_id, "
                "timestamp, stored, voided, organisation_id, body) FROM STDIN"
            ) as copy:
                copy.write(buf.read())
            raw.commit()
            buf = io.StringIO()
            print(
                f"  {n + 1:,} learners, {written:,} statements ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    for definition in indexes:
        print(f"  {definition[:90]} …", flush=True)
        cur.execute(definition)
        raw.commit()
    raw.driver_connection.autocommit = True
    cur.execute("VACUUM ANALYZE")
    raw.close()
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(label: str, runs: int, call: Any) -> None:
    call()  # warm: the first request compiles templates and fills caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label:<58} p50 {statistics.median(times):7.1f} ms   p95 {pct(times, 95):7.1f} ms"
        f"   max {max(times):7.1f} ms   (n={runs})",
        flush=True,
    )


def login(client: Any, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def measure(engine: Any, runs: int) -> None:
    app = create_app(
        {"SECRET_KEY": "bench", "ELEARN_LRS_ENDPOINT": "", "ELEARN_XAPI_HOMEPAGE": HOME,
         "ELEARN_XAPI_BASE_IRI": BASE, "RATELIMIT_ENABLED": False},
        engine=engine,
    )  # fmt: skip
    session = session_factory_for(engine)()
    counts = session.execute(text("SELECT count(*) FROM elearn_statements")).scalar()
    people = session.execute(text("SELECT count(*) FROM elearn_users")).scalar()
    unit0 = session.execute(
        text("SELECT id FROM elearn_organisations WHERE slug = 'skole-00'")
    ).scalar()
    top = session.execute(
        text("SELECT id FROM elearn_organisations WHERE slug = 'bench-kommune'")
    ).scalar()
    pg = session.execute(text("SHOW server_version")).scalar()
    size = session.execute(
        text("SELECT pg_size_pretty(pg_total_relation_size('elearn_statements'))")
    ).scalar()
    session.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {machine()}, PostgreSQL {pg}; load average {load} (a shared machine)")
    print(f"data: {people:,} users, {counts:,} statements ({size} with indexes), {UNITS} units")

    leader, admin = app.test_client(), app.test_client()
    login(leader, "rektor@bench.no")
    login(admin, "admin@bench.no")

    def get(client: Any, url: str) -> Any:
        def call() -> None:
            response = client.get(url)
            response.get_data()  # a streamed download is timed to its last byte
            assert response.status_code == 200, (url, response.status_code)

        return call

    timed(
        "unit report, 250 people (HTTP, whole page)",
        runs,
        get(leader, f"/admin/reports?unit={unit0}"),
    )
    timed("decision distribution, 250 people (HTTP, whole page)", runs,
          get(leader, f"/admin/reports/decisions?unit={unit0}&course={ASSIGNED}"))  # fmt: skip

    with app.test_request_context():
        s = session_factory_for(engine)()
        tree = service.Tree.load(s)
        builder = StatementBuilder(BASE, HOME)
        course = app.extensions["elearn"].services["content"].current(s, ASSIGNED)
        scope = service.Scope.load(s, tree, unit0, HOME)
        timed(
            "unit report, 250 people (queries only)",
            runs,
            lambda: service.completion_rows(
                s, builder, service.Scope.load(s, tree, unit0, HOME), service.Filters(unit0)
            ),
        )
        timed(
            "decision distribution, 250 people (query only)",
            runs,
            lambda: service.decision_points(s, course, builder, scope.people),
        )
        s.close()

    few = max(5, runs // 3)
    timed("org report, 10,000 people (HTTP, summary + page 1 of 100 people)", few,
          get(admin, f"/admin/reports?unit={top}"))  # fmt: skip
    timed("org report, 10,000 people (HTTP, summary + page 50)", few,
          get(admin, f"/admin/reports?unit={top}&page=50"))  # fmt: skip
    timed("decision distribution, 10,000 people (HTTP)", few,
          get(admin, f"/admin/reports/decisions?unit={top}&course={ASSIGNED}"))  # fmt: skip
    timed(
        "org CSV export, 10,000 rows (HTTP)",
        few,
        get(admin, f"/admin/reports/export.csv?unit={top}"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/elearn_bench"
    )
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    engine = prepare(args.database_url, args.reseed)
    with engine.connect() as conn:
        seeded = conn.scalar(text("SELECT count(*) FROM elearn_users"))
    if not seeded:
        seed(engine, args.learners, args.statements)
    measure(engine, args.runs)


if __name__ == "__main__":
    main()
