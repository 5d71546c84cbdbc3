"""The whole `elearn validate COURSE` command, start-up included (issue 16: validation of each
course under 1 s). The validator alone is timed by bench/validate.py; this one adds what the
command imports before it validates, which used to be every room of the platform.

    .venv/bin/python bench/cli_start.py [--repeat N] [--before CHECKOUT]

Runs each command N times as a new process and prints the median and worst wall time and the
median CPU time (user + system, which a busy machine inflates less than wall time), and the
load average. `--before` names a checkout of an older commit (e.g. `git worktree add
/tmp/before 9b4fe20`): its `elearn` console script is run the same way, from that source, for
the before/after comparison. With hyperfine on the PATH, its own summary is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from player_step import machine  # bench/ is on the path when run

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COURSES = ["skole-19b", "helse-22", "voksenopplaering-24"]
# The console script as the old `elearn.app:main` ran it, and as it runs now.
BEFORE = "import sys; from elearn.app import main; sys.argv[0] = 'elearn'; main()"
NOW = "import sys; from elearn.cli import main; sys.argv[0] = 'elearn'; main()"


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(
    label: str, argv: list[str], repeat: int, env: dict[str, str], cwd: Path = ROOT
) -> None:
    run_once(argv, env, cwd)  # warm the file cache and the .pyc files
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = run_once(argv, env, cwd)
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"  {label:58} wall median {statistics.median(walls):.3f} s, worst {max(walls):.3f} s;"
        f" CPU median {statistics.median(cpus):.3f} s (load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--before", type=Path, help="a checkout of the commit to compare with")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average now {os.getloadavg()[0]:.1f}")
    env = {**os.environ, "FLASK_APP": str(ROOT / "wsgi.py")}
    env.pop("PYTHONPATH", None)
    python = sys.executable
    print(f"Whole commands, {args.repeat} runs each (a new process every time):")
    measure("python -c pass (the interpreter alone)", [python, "-c", "pass"], args.repeat, env)
    for name in COURSES:
        course = str(ROOT / "courses" / name)
        if args.before:
            old = {**env, "PYTHONPATH": str(args.before.resolve())}
            measure(
                f"before: elearn validate {name}",
                [python, "-c", BEFORE, "validate", course],
                args.repeat,
                old,
                args.before.resolve(),  # `python -c` puts the working folder first on the path
            )
        measure(
            f"elearn validate {name}", [python, "-c", NOW, "validate", course], args.repeat, env
        )
        measure(
            f"flask elearn validate {name}",
            [str(BIN / "flask"), "elearn", "validate", course],
            args.repeat,
            env,
        )
    hyperfine = shutil.which("hyperfine")
    if hyperfine:
        course = str(ROOT / "courses" / "skole-19b")
        subprocess.run(
            [
                hyperfine,
                "--warmup",
                "1",
                "--runs",
                str(args.repeat),
                f"{BIN / 'elearn'} validate {course}",
                f"{BIN / 'flask'} elearn validate {course}",
            ],
            env=env,
            check=False,
        )


if __name__ == "__main__":
    main()
