"""The course author's tools, timed (issue 16's targets: a scenario's map under 2 s, a saved
change visible in the preview within 1 s):

* the map: `scenario_map` + Graphviz's SVG for every scenario of the courses in courses/ (the
  largest of each course printed) and for the largest scenario of the generated 5,000-node
  course of bench/validate.py;
* the preview: a real Chromium (Playwright, /usr/bin/chromium) on the preview of a copy of each
  course, a node's text changed on disk, and the time until the new text is on the screen,
  with no click: the page's own poll (every 250 ms) notices and reloads. Also the server's
  share: the fingerprint of the folder and validating it again.

    .venv/bin/python bench/authoring.py [--repeat N] [--chromium /usr/bin/chromium]

Prints the machine first. Best-of-N for the map; for the preview the median, the 95th
percentile and the worst of N saves, and the load average. `--without-reuse` makes the preview
check the whole folder again after each save (as it did before `load_course(dir, earlier)`),
for a comparison on the same machine at the same time.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from player_step import machine  # bench/ is on the path when run
from validate import big_course
from werkzeug.serving import make_server

from elearn.app import create_app
from elearn.authoring.preview import CoursePreview, Snapshot, fingerprint
from elearn.authoring.scenario_map import scenario_map, to_svg
from elearn.content import load_course
from elearn.i18n import force_locale

ROOT = Path(__file__).resolve().parent.parent
COURSES = ["helse-22", "skole-19b", "voksenopplaering-24", "sample-course"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class WholeFolderPreview(CoursePreview):
    """The preview without the earlier result: every save checks the whole folder again."""

    def current(self) -> Snapshot:
        now = self.fingerprint()
        with self._lock:
            if self._snapshot is None or self._snapshot.fingerprint != now:
                self._snapshot = Snapshot(now, load_course(self.course_dir))
            return self._snapshot


def _app(tmp: Path):  # type: ignore[no-untyped-def]
    return create_app(
        {
            "SECRET_KEY": "bench",
            "ELEARN_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "ELEARN_LRS_ENDPOINT": "",
        }
    )


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_maps(course_dir: Path, repeat: int, app) -> None:  # type: ignore[no-untyped-def]
    loaded = load_course(course_dir)
    rows = []
    with app.app_context(), force_locale("nb"):
        for draft in loaded.drafts:

            def draw(draft=draft) -> str:
                return to_svg(scenario_map(draft.compiled, draft.explored, "nb"), lambda n: n)

            rows.append((len(draft.compiled["nodes"]), draft.compiled["id"], best(draw, repeat)))
    nodes, sid, seconds = max(rows)
    slowest = max(r[2] for r in rows)
    print(
        f"  map  {course_dir.name:22} largest scenario '{sid}' ({nodes} nodes): {seconds:.3f} s;"
        f" slowest of {len(rows)} scenarios {slowest:.3f} s"
    )


def _edit(course: Path, i: int) -> tuple[Path, str, str]:
    """A file and the change that puts a new marker into the first scenario's start text."""
    loaded = load_course(course)
    scenario = loaded.compiled["scenarios"][0]
    text = scenario["nodes"][scenario["start"]]["text"]["nb"]
    path = Path(loaded.drafts[0].file)
    source = path.read_text()
    words = text.split()
    for n in range(len(words), 0, -1):  # the longest start of the text found once in the file
        old = " ".join(words[:n])
        if source.count(old) == 1:
            return path, old, f"{old} MERKE{i}"
    raise AssertionError(f"the start text of {path} is not found in it")


def bench_recheck_cpu(course_dir: Path, repeat: int) -> None:
    """CPU time (steadier than wall time on a shared machine) of the check after one file is
    saved: the whole folder, and the preview's re-check with the earlier result."""
    with tempfile.TemporaryDirectory() as tmp_name:
        course = Path(tmp_name) / course_dir.name
        shutil.copytree(course_dir, course)
        whole, again = [], []
        for i in range(repeat):
            earlier = load_course(course)
            path, old, new = _edit(course, i)
            original = path.read_text()
            path.write_text(original.replace(old, new, 1))
            t = time.process_time()
            load_course(course)
            whole.append(time.process_time() - t)
            t = time.process_time()
            load_course(course, earlier)
            again.append(time.process_time() - t)
            path.write_text(original)
    print(
        f"  check {course_dir.name:21} after one file saved, CPU median: whole folder "
        f"{statistics.median(whole):.3f} s, re-check {statistics.median(again):.3f} s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


def bench_preview(course_dir: Path, repeat: int, browser, reuse: bool) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        course = tmp / course_dir.name
        shutil.copytree(course_dir, course)
        app = _app(tmp)
        preview = CoursePreview(course) if reuse else WholeFolderPreview(course)
        preview.watch()  # as `flask elearn preview` does
        app.extensions["elearn"].services["preview"] = preview
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            sid = load_course(course).compiled["scenarios"][0]["id"]
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/preview/s/{sid}?lang=nb")
            seen, server_side, recheck = [], [], []
            for i in range(repeat):
                path, old, new = _edit(course, i)
                original = path.read_text()
                t = time.perf_counter()
                path.write_text(original.replace(old, new, 1))
                page.get_by_text(f"MERKE{i}").first.wait_for(timeout=30_000)
                seen.append(time.perf_counter() - t)
                path.write_text(original)
                page.get_by_text(f"MERKE{i}").first.wait_for(state="detached", timeout=30_000)
                t = time.perf_counter()
                fingerprint(course)
                earlier = load_course(course)
                server_side.append(time.perf_counter() - t)
                path.write_text(original.replace(old, new, 1))  # the preview's re-check: one
                t = time.perf_counter()  # file changed, the earlier result at hand
                load_course(course, earlier)
                recheck.append(time.perf_counter() - t)
                path.write_text(original)
            page.close()
        finally:
            server.shutdown()
            thread.join(5)
    print(
        f"  save {course_dir.name:22}{'' if reuse else ' (without reuse)'} to visible: median {statistics.median(seen):.3f} s, "
        f"p95 {_p95(seen):.3f} s, worst {max(seen):.3f} s of {repeat}; "
        f"validating the whole folder: median {statistics.median(server_side):.3f} s, "
        f"the preview's re-check of one changed file: median {statistics.median(recheck):.3f} s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): with 20 saves, the second worst."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--preview-only", action="store_true", help="Skip the maps.")
    parser.add_argument("--without-reuse", action="store_true", help="Also time the old way.")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    print(f"machine: {machine()}; load average now {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        app = _app(tmp)
        print("The map (scenario_map + Graphviz dot → SVG), best of", args.repeat)
        for name in COURSES if not args.preview_only else []:
            bench_maps(ROOT / "courses" / name, args.repeat, app)
        if not args.preview_only:
            bench_maps(big_course(tmp / "bench-5000"), 1, app)
    print("The preview's check after a save (no browser)")
    for name in COURSES[:3]:
        bench_recheck_cpu(ROOT / "courses" / name, args.repeat)
    from playwright.sync_api import sync_playwright

    print("The preview: a saved change until it is on the screen (Chromium, no click)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            for name in COURSES[:3]:
                bench_preview(ROOT / "courses" / name, args.repeat, browser, True)
                if args.without_reuse:
                    bench_preview(ROOT / "courses" / name, args.repeat, browser, False)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
