"""How long `flask elearn validate` takes per course: the courses in courses/, a generated course
of 5,000 nodes and a scenario with 30 boolean variables (which must stop at the documented
state cap with E060, quickly).

    .venv/bin/python bench/validate.py [--repeat N]

Prints the machine (CPU, cores, Python), then one line per course: the best of N runs of
`load_course` in seconds (wall clock, and CPU time of this process: on a shared machine the
CPU time is the figure to compare), peak memory of one run (tracemalloc), and the problem codes
found.
Only elearn's public `load_course` is used, so the same script can time an older checkout
(PYTHONPATH=<old tree> python bench/validate.py).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import yaml
from player_step import machine  # bench/ is on the path when run: one machine description

from elearn.content import load_course

ROOT = Path(__file__).resolve().parent.parent
NODES = 5000
PER_SCENARIO = 125
BOOLEANS = 30


def _text(word: str) -> dict[str, str]:
    return {"nb": word}


def _course(root: Path, scenarios: list[dict], minutes: int) -> Path:
    root.mkdir(parents=True)
    course = {
        "format": 1,
        "id": root.name,
        "title": _text("Benk"),
        "description": _text("Generert for å måle validering."),
        "audiences": ["teacher"],
        "measure": "19b",
        "languages": ["nb"],
        "estimated_minutes": minutes,
        "mastery_score": 0.5,
        "scenarios": [f"{s['id']}.yaml" for s in scenarios],
        "help": [],
    }
    (root / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True))
    for s in scenarios:
        text = yaml.safe_dump(s, allow_unicode=True, default_flow_style=True, width=10_000)
        (root / f"{s['id']}.yaml").write_text(text)
    return root


def big_course(root: Path) -> Path:
    """5,000 nodes in 40 scenarios of 125 (a file holds at most 10,000 values): each decision
    has a careful choice (a point, and trust up) and a hasty one, and a shortcut when trust is high."""
    scenarios = []
    for k in range(NODES // PER_SCENARIO):
        nodes = []
        for i in range(PER_SCENARIO - 1):
            nxt = f"n{i + 1}" if i < PER_SCENARIO - 2 else "end"
            careful = {"id": "a", "text": _text("Vent"), "feedback": _text("Bra"), "points": 1}
            hasty = {"id": "b", "text": _text("Skynd deg"), "feedback": _text("Hm")}
            nodes.append(
                {
                    "id": f"n{i}",
                    "text": _text("Hva gjør du?"),
                    "choices": [
                        {**careful, "add": {"trust": 1}, "next": nxt},
                        {**hasty, "add": {"trust": -1}, "next": nxt},
                    ],
                }
            )
        nodes.append(
            {
                "id": "end",
                "text": _text("Slutt"),
                "ending": {"outcome": "good", "title": _text("Slutt")},
            }
        )
        nodes[-2]["choices"][0]["if"] = "trust >= 0"
        variables = {"trust": {"type": "int", "default": 0, "min": 0, "max": 3}}
        scenarios.append(
            {
                "id": f"s{k}",
                "title": _text("Del"),
                "start": "n0",
                "variables": variables,
                "nodes": nodes,
            }
        )
    return _course(root, scenarios, 600)


def booleans_course(root: Path) -> Path:
    """One decision that can set any of 30 flags, in any order: 2^30 combinations."""
    names = [f"b{i}" for i in range(BOOLEANS)]
    choices = [
        {
            "id": f"flip-{n.replace('_', '-')}",
            "text": _text("Gjør det"),
            "feedback": _text("Ok"),
            "if": f"not {n}",
            "set": {n: True},
            "next": "a",
        }
        for n in names
    ]
    choices.append(
        {
            "id": "stop",
            "text": _text("Stopp"),
            "feedback": _text("Ok"),
            "points": 1,
            "next": "end",
            "if": " and ".join(names),
        }
    )
    scenario = {
        "id": "flags",
        "title": _text("Flagg"),
        "start": "a",
        "variables": {n: {"type": "bool", "default": False} for n in names},
        "nodes": [
            {"id": "a", "text": _text("Velg"), "choices": choices},
            {
                "id": "end",
                "text": _text("Slutt"),
                "ending": {"outcome": "good", "title": _text("Slutt")},
            },
        ],
    }
    return _course(root, [scenario], 5)


def measure(course_dir: Path, repeat: int) -> tuple[float, float, float, str]:
    best = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        loaded = load_course(course_dir)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    tracemalloc.start()
    load_course(course_dir)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    codes = Counter(p.code for p in loaded.problems)
    return best, cpu, peak, ", ".join(f"{c}×{n}" for c, n in sorted(codes.items())) or "no problems"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per course (best is shown)")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        courses = sorted(p for p in (ROOT / "courses").iterdir() if (p / "course.yaml").is_file())
        courses += [big_course(Path(tmp) / "generated-5000-nodes")]
        courses += [booleans_course(Path(tmp) / "generated-30-booleans")]
        print(f"{'course':<24} {'seconds':>8} {'cpu s':>6} {'peak MiB':>9}  problems")
        for course_dir in courses:
            seconds, cpu, peak, codes = measure(course_dir, args.repeat)
            print(f"{course_dir.name:<24} {seconds:8.2f} {cpu:6.2f} {peak:9.1f}  {codes}")


if __name__ == "__main__":
    main()
