"""`elearn validate` and the other commands that need no app start without loading the platform:
the root group imports a room's commands when one is asked for (elearn/cli.py). Timed in
bench/cli_start.py; here, what an author notices: the command works without an app, `--help`
still lists everything, and validating loads no database, SSO or PDF code."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from elearn.cli import LAZY_COMMANDS, elearn_cli

ROOT = Path(__file__).resolve().parent.parent
ROOM_CLIS = sorted(set(LAZY_COMMANDS.values()))
HEAVY = {"sqlalchemy", "alembic", "authlib", "reportlab", "segno", "graphviz", "requests"}


def test_the_lazy_table_names_every_command_of_every_room_where_it_lives() -> None:
    defined = {
        name: module
        for module in ROOM_CLIS
        for name in importlib.import_module(module).cli.commands
    }
    assert defined == LAZY_COMMANDS
    rooms = {p.parent.name for p in (ROOT / "elearn").glob("*/cli.py")}
    assert rooms == {m.split(".")[1] for m in ROOM_CLIS if m.count(".") == 2}


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(elearn_cli, ["--help"])
    assert result.exit_code == 0, result.output
    for name in LAZY_COMMANDS:
        assert f"  {name} " in result.output, name


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "ELEARN_"))}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_elearn_validate_loads_no_database_sso_or_pdf_code() -> None:
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})),"
        " file=sys.stderr))\n"
        "from elearn.cli import main\n"
        "sys.argv[0] = 'elearn'\n"
        "main()\n"
    )
    out = _python(code, "validate", str(ROOT / "courses" / "sample-course"))
    assert out.returncode == 0, out.stderr
    assert "0 error(s)" in out.stdout
    loaded = set(json.loads(out.stderr.strip().splitlines()[-1]))
    assert "elearn" in loaded
    assert not loaded & HEAVY, loaded & HEAVY


def test_flask_elearn_validate_works_without_an_app_to_load() -> None:
    """`flask elearn` is found as a Flask plugin command, so `validate` does not build the app:
    even an app that cannot be imported leaves it working."""
    code = "import sys; from flask.cli import main; sys.argv[0] = 'flask'; main()"
    course = str(ROOT / "courses" / "sample-course")
    out = _python(code, "--app", "no_such_module_here", "elearn", "validate", course)
    assert out.returncode == 0, out.stderr
    assert "1 course(s) checked: 0 error(s)" in out.stdout


def test_a_command_that_needs_the_app_still_loads_it() -> None:
    code = "import sys; from flask.cli import main; sys.argv[0] = 'flask'; main()"
    out = _python(code, "--app", "no_such_module_here", "elearn", "upgrade")
    assert out.returncode != 0
    assert "no_such_module_here" in out.stderr  # it tried to load the app it was given


def test_flask_elearn_paths_works_without_an_app_to_load() -> None:
    code = "import sys; from flask.cli import main; sys.argv[0] = 'flask'; main()"
    course = str(ROOT / "courses" / "sample-course")
    out = _python(code, "--app", "no_such_module_here", "elearn", "paths", course)
    assert out.returncode == 0, out.stderr
    assert "path(s)" in out.stdout and "best:" in out.stdout
