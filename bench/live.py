"""Benchmark: live sessions, 10 rooms of 30 phones voting on every decision, over real HTTP.

    .venv/bin/python bench/live.py [--rooms 10] [--phones 30] [--redis redis://127.0.0.1:6379/14]
                                   [--database-url URL] [--threads 250] [--think 5]

Starts gunicorn (2 gthread workers) on a fresh database (SQLite in a temporary folder unless
--database-url is given), imports courses/, and in each room: a leader starts a session on the
first scenario of skole-19b, a projector holds the event stream and reads its page again after
each event (as live.js does), and every phone joins, holds its own event stream, reads its page
when the leader moves on, and votes. The leader waits for every phone's vote, shows the votes,
follows the most votes and goes on, to the end of the scenario.

Prints, with the machine: vote-to-projector latency (vote sent → the projector's stream
announces a version that includes it; and → the projector's page shows it), lost votes (a vote
answered 303 that the session's record does not count), errors, and the workers' memory (RSS)
before and after. Nothing is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import redis
from player_step import BIN, ROOT, Client, csrf, free_port, machine  # bench/ is on the path
from sqlalchemy import select

from elearn.db import make_engine
from elearn.live.models import LiveSession

COURSE = "skole-19b"


class Retrying(Client):
    """A Client that opens a fresh connection once when the server closed the old one."""

    def request(self, method: str, path: str, form: dict[str, str] | None = None):  # type: ignore[override]
        try:
            return super().request(method, path, form)
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return super().request(method, path, form)


def attr(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    return match.group(1) if match else ""


def events(port: int, path: str, last_id: str | None, stop: threading.Event):
    """(version, step, html) for each server-sent event, reconnecting (Last-Event-ID) until
    `stop`; html is the phone's new view when the event carries one (a phone's stream), else ""."""
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = last_id
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            data: list[str] = []
            while not stop.is_set():
                line = resp.fp.readline()
                if not line:
                    break  # the stream's lifetime is over: reconnect
                text = line.decode().rstrip("\n")
                if text.startswith("id: "):
                    last_id = text[4:]
                elif text.startswith("data: "):
                    data.append(text[6:])
                elif not text and data:  # the event is complete
                    version, step = (int(x) for x in data[0].split())
                    yield version, step, "\n".join(data[1:])
                    data = []
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        finally:
            conn.close()


@dataclass
class Room:
    n: int
    port: int
    phones: int
    think: float = 0.0
    run: int = 0
    leader: Retrying = field(init=False)
    public_id: str = ""
    code: str = ""
    votes: list[tuple[float, int, int, int]] = field(
        default_factory=list
    )  # t, version, round, status
    stream_seen: list[tuple[float, int]] = field(default_factory=list)
    page_seen: list[tuple[float, int]] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    latest: int = 0
    latest_step: int = 0
    latest_cond: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.leader = Retrying(self.port)

    def start(self) -> None:
        c = self.leader
        _, _, page = c.request("GET", "/register?lang=en")
        status, _, _ = c.request(
            "POST",
            "/register",
            {"csrf_token": csrf(page), "email": f"leader{self.run}-{self.n}@example.org",
             "password": "benchmark password", "audience": "school_leader", "language": "en"},
        )  # fmt: skip
        assert status == 302, status
        # Without mail, registering makes the account; the leader then logs in.
        _, _, page = c.request("GET", "/login?lang=en")
        status, _, _ = c.request(
            "POST",
            "/login",
            {"csrf_token": csrf(page), "email": f"leader{self.run}-{self.n}@example.org",
             "password": "benchmark password"},
        )  # fmt: skip
        assert status == 302, status
        _, _, page = c.request("GET", f"/c/{COURSE}/facilitator")
        scenario = re.search(r'<option value="([^"]+)"', page).group(1)  # the first scenario
        status, location, _ = c.request(
            "POST",
            "/live/start",
            {"csrf_token": csrf(page), "course_id": COURSE, "scenario_id": scenario,
             "projector_lang": "nb"},
        )  # fmt: skip
        assert status == 303, status
        self.public_id = urlsplit(location).path.split("/s/")[1].split("/")[0]
        _, _, page = c.request("GET", urlsplit(location).path)
        self.code = re.search(r'id="live-code">([A-Z0-9]{6})<', page).group(1)

    # -- the projector: its stream, and its page read again after each event --------------
    def projector_stream(self) -> None:
        for version, step, _ in events(self.port, f"/live/e/{self.public_id}", None, self.stop):
            now = time.perf_counter()
            with self.lock:
                self.stream_seen.append((now, version))
            with self.latest_cond:
                self.latest = max(self.latest, version)
                self.latest_step = max(self.latest_step, step)
                self.latest_cond.notify_all()

    def projector_page(self) -> None:
        viewer = Retrying(self.port)
        viewer.cookies = dict(self.leader.cookies)
        shown, shown_step = -1, -1
        while not self.stop.is_set():
            with self.latest_cond:
                self.latest_cond.wait_for(
                    lambda seen=shown: self.latest > seen or self.stop.is_set(), 1
                )
                if self.latest <= shown:
                    continue
                moved = self.latest_step != shown_step
            # As live.js: the whole page when the leader moved on, else the vote count only.
            what = "projector" if moved else "count?view=projector"
            status, _, page = viewer.request("GET", f"/live/s/{self.public_id}/{what}")
            if status != 200:
                with self.lock:
                    self.errors += 1
                continue
            shown = int(attr(page, "data-live-version") or -1)
            shown_step = int(attr(page, "data-live-step") or -1)
            with self.lock:
                self.page_seen.append((time.perf_counter(), shown))

    # -- a phone ----------------------------------------------------------------------------
    def phone(self, i: int, ready: threading.Barrier) -> None:
        me = Retrying(self.port)
        _, _, page = me.request("GET", f"/live/j/{self.code}?lang=en")
        status, location, _ = me.request(
            "POST", "/live/join", {"csrf_token": csrf(page), "code": self.code, "nickname": f"p{i}"}
        )
        if status != 303:
            with self.lock:
                self.errors += 1
            return
        path = urlsplit(location).path
        # As a browser: the page once (its CSRF token, the stream's address), then live.js.
        _, _, first = me.request("GET", path)
        token = attr(first, "data-live-csrf")
        ready.wait()
        voted: set[str] = set()
        last_step = -1
        phone_events = attr(first, "data-live-events").replace("&amp;", "&")
        shown = [(0, int(attr(first, "data-live-step") or 0), first)]  # the page it shows
        for _version, step, html in itertools.chain(
            shown, events(self.port, phone_events, None, self.stop)
        ):
            if step <= last_step:
                continue  # a vote, not the leader: a phone's page does not change
            last_step = step
            status, page = 200, html
            if not html:  # an event without the view (an older server, the end): read it
                status, _, page = me.request("GET", path)
            round_ = attr(page, 'name="round" value')
            if status != 200 or attr(page, "data-live-phase") != "voting" or round_ in voted:
                continue
            choice = random.choice(re.findall(r'name="choice" value="([^"]+)"', page))
            time.sleep(random.uniform(0, self.think))  # reading the situation, deciding
            sent = time.perf_counter()
            code, version = self.post_vote(me, path, token or csrf(page), round_, choice)
            voted.add(round_)
            with self.lock:
                self.votes.append((sent, version, int(round_), code))

    @staticmethod
    def post_vote(me: Retrying, path: str, token: str, round_: str, choice: str) -> tuple[int, int]:
        """(status, the version the vote made); a closed keep-alive connection is reopened
        once (a vote sent twice replaces itself)."""
        for attempt in (1, 2):
            try:
                me.conn.request(
                    "POST",
                    f"{path}/vote",
                    body=f"csrf_token={token}&round={round_}&choice={choice}",
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "Cookie": "; ".join(f"{k}={v}" for k, v in me.cookies.items())},
                )  # fmt: skip
                resp = me.conn.getresponse()
                resp.read()
                return resp.status, int(resp.headers.get("X-Live-Version") or 0)
            except (OSError, http.client.HTTPException):
                me.conn.close()
                if attempt == 2:
                    return 0, 0
        return 0, 0

    # -- the leader ---------------------------------------------------------------------------
    def act(self, page: str, action: str) -> str:
        status, _, page = self.leader.request(
            "POST",
            f"/live/s/{self.public_id}/act",
            {"csrf_token": csrf(page), "step": attr(page, 'name="step" value'), "action": action},
        )
        if status not in (200, 303):
            with self.lock:
                self.errors += 1
        return page

    def lead(self) -> None:
        lead_path = f"/live/s/{self.public_id}/lead"
        while True:
            _, _, page = self.leader.request("GET", lead_path)
            phase = attr(page, "data-live-phase")
            if self.stop.is_set():
                return  # a failed request stopped the room
            if phase == "voting":
                round_ = int(attr(page, "data-live-round"))
                deadline = time.perf_counter() + 60
                while time.perf_counter() < deadline:  # every phone's vote, then its event
                    with self.lock:
                        mine = [v for v in self.votes if v[2] == round_]
                    if len(mine) >= self.phones:
                        top = max(v[1] for v in mine)
                        with self.latest_cond:
                            self.latest_cond.wait_for(lambda t=top: self.latest >= t, 10)
                        break
                    time.sleep(0.05)
                self.rounds.append(round_)
                time.sleep(0.3)  # let the projector's page catch up before the reveal
                self.act(page, "next")  # show the votes
            elif phase in ("revealed", "feedback", "ending"):
                self.act(page, "next")
            else:
                self.act(page, "end")
                return


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def workers_of(master: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def first_seen(seen: list[tuple[float, int]], version: int, after: float) -> float | None:
    return next((t for t, v in seen if v >= version and t >= after), None)


def lost_votes(database_url: str, rooms: list[Room]) -> tuple[int, int]:
    """(votes answered 303, votes the sessions' records count) over every room."""
    engine = make_engine(database_url)
    in_record = accepted = 0
    with engine.connect() as conn:
        for room in rooms:
            state = conn.execute(
                select(LiveSession.state).where(LiveSession.public_id == room.public_id)
            ).scalar_one()
            decided = {h["round"] for h in state["history"]}
            in_record += sum(sum(h["counts"].values()) for h in state["history"])
            # Votes of a round the room decided (a stopped room's last round never was).
            accepted += sum(1 for v in room.votes if v[3] == 303 and v[2] in decided)
    engine.dispose()
    return accepted, in_record


def counted(room: Room, target: Callable[..., None]) -> Callable[..., None]:
    """A thread that counts a failed request (the server did not answer in 30 s) as an error
    and stops, rather than dying with a traceback and leaving its room waiting."""

    def body(*args: object) -> None:
        try:
            target(*args)
        except (OSError, http.client.HTTPException):
            with room.lock:
                room.errors += 1
            room.stop.set()

    return body


def run_rooms(port: int, rooms_n: int, phones_n: int, think: float, run: int) -> list[Room]:
    rooms = [Room(n, port, phones_n, think, run) for n in range(rooms_n)]
    for room in rooms:
        room.start()
    threads: list[threading.Thread] = []
    ready = threading.Barrier(rooms_n * phones_n + 1)
    for room in rooms:
        threads += [
            threading.Thread(target=counted(room, room.projector_stream), daemon=True),
            threading.Thread(target=counted(room, room.projector_page), daemon=True),
        ]
        threads += [
            threading.Thread(target=counted(room, room.phone), args=(i, ready), daemon=True)
            for i in range(phones_n)
        ]
    for t in threads:
        t.start()
    ready.wait()  # every phone has joined
    time.sleep(1)  # and holds its stream
    # Each phone read its page when its stream started, and voted on the first decision.
    leaders = [threading.Thread(target=counted(room, room.lead)) for room in rooms]
    for t in leaders:
        t.start()
    for t in leaders:
        t.join()
    time.sleep(0.5)
    for room in rooms:
        room.stop.set()
    return rooms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--passes", type=int, default=2, help="the whole load again, same server")
    parser.add_argument("--threads", type=int, default=250)
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="each phone votes 0..THINK s after the decision shows",
    )
    parser.add_argument("--redis", default="", help="ELEARN_REDIS_URL for the fan-out")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="elearn-bench-live-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = dict(os.environ)
    env.update(
        ELEARN_DATABASE_URL=database_url,
        ELEARN_SECRET_KEY="bench",
        ELEARN_COURSES_DIR=str(ROOT / "courses"),
        ELEARN_REDIS_URL=args.redis,
        FLASK_APP=str(ROOT / "wsgi.py"),
    )
    if args.redis:
        redis.Redis.from_url(args.redis).flushdb()  # the rate limits of an earlier run
    subprocess.run([str(BIN / "flask"), "elearn", "demo"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread",
         "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--graceful-timeout", "3", "wsgi:app"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/live/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(20):  # both workers have served a page: their memory as in use
            Retrying(port).request("GET", "/live/")
        args.load_start = os.getloadavg()  # the machine is shared: what else was running
        workers = workers_of(server.pid)
        rss = [rss_kib(workers)]
        started = time.perf_counter()
        rooms: list[Room] = []
        for run in range(args.passes):  # the same load again: does memory keep growing?
            if run:
                time.sleep(20)  # the last pass's streams end (their next keep-alive fails)
            rooms += run_rooms(port, args.rooms, args.phones, args.think, run)
            rss.append(rss_kib(workers))
        elapsed = time.perf_counter() - started
        accepted, counted = lost_votes(database_url, rooms)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)

    report(args, database_url, rooms, elapsed, rss, (accepted, counted))


def report(
    args: argparse.Namespace,
    database_url: str,
    rooms: list[Room],
    elapsed: float,
    rss: list[int],
    tally: tuple[int, int],
) -> None:
    accepted, counted = tally
    stream_lat, page_lat, unseen = [], [], 0
    for room in rooms:
        for sent, version, _round, status in room.votes:
            if status != 303:
                continue
            t = first_seen(room.stream_seen, version, sent)
            p = first_seen(room.page_seen, version, sent)
            if t is None:
                unseen += 1
                continue
            stream_lat.append(t - sent)
            if p is not None:
                page_lat.append(p - sent)
    votes = sum(len(r.votes) for r in rooms)
    decisions = sum(len(r.rounds) for r in rooms)
    refused = sum(1 for r in rooms for v in r.votes if v[3] != 303)
    if os.environ.get("BENCH_DEBUG"):
        print(Counter(v[3] for r in rooms for v in r.votes), [(r.run, len(r.votes)) for r in rooms])

    def pct(values: list[float], q: int) -> str:
        return (
            f"{statistics.quantiles(values, n=100)[q - 1] * 1000:.0f} ms"
            if len(values) > 1
            else "n/a"
        )

    db = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite (WAL)"
    fan = f"Redis pub/sub ({args.redis})" if args.redis else "database poll of the version (0.2 s)"
    print("elearn benchmark: live sessions, phones voting on every decision over HTTP")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    start = "/".join(f"{x:.1f}" for x in getattr(args, "load_start", ()))
    print(f"machine:     {machine()}")
    print(f"load:        1/5/15-min load average at the start {start}, at the end {load}")
    print(f"server:      gunicorn, {args.workers} gthread workers x {args.threads} threads, {db}")
    print(f"fan-out:     {fan}; load generator on the same machine")
    print(f"rooms:       {args.passes} passes of {args.rooms} rooms x {args.phones} phones (each votes 0-{args.think:g} s "
          f"after a decision shows), {decisions} decisions, "
          f"{elapsed:.1f} s")  # fmt: skip
    print(f"votes:       {votes} sent, {accepted} accepted, {refused} refused or failed, "
          f"{accepted - counted} lost (accepted but not counted), {unseen} never announced")  # fmt: skip
    print(f"latency:     vote sent -> projector's stream: p50 {pct(stream_lat, 50)}, "
          f"p95 {pct(stream_lat, 95)}, max {max(stream_lat, default=0) * 1000:.0f} ms")  # fmt: skip
    print(f"             vote sent -> projector's page shows it: p50 {pct(page_lat, 50)}, "
          f"p95 {pct(page_lat, 95)}, max {max(page_lat, default=0) * 1000:.0f} ms")  # fmt: skip
    print(f"errors:      {sum(r.errors for r in rooms)} requests failed or unanswered in 30 s "
          f"(leader, projector, phone pages); rooms stopped by one: "
          f"{sum(1 for r in rooms if r.errors)}")  # fmt: skip
    after = ", ".join(f"{kib / 1024:.1f} MiB after pass {i}" for i, kib in enumerate(rss[1:], 1))
    print(f"memory:      workers' RSS {rss[0] / 1024:.1f} MiB before, {after}")


if __name__ == "__main__":
    sys.exit(main())
