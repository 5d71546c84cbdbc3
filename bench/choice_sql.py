"""What one learner choice costs the database: the SQL statements of a choice POST and of the
page the browser is redirected to, listed and counted.

    .venv/bin/python bench/choice_sql.py [--database-url URL]

A fresh database (SQLite in a temporary folder unless --database-url is given) is migrated,
the fixture course imported, a learner registered and the course started; then one choice is
made through the real app (Flask's test client: the same request handling as over HTTP) while
SQLAlchemy's cursor events record every statement. Prints the statements and the counts; nothing
is asserted.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elearn.app import create_app  # noqa: E402
from elearn.content.service import import_course  # noqa: E402
from elearn.db import make_engine  # noqa: E402
from elearn.migrate import upgrade_database  # noqa: E402

COURSE = ROOT / "tests" / "fixtures" / "play-course"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="elearn-choice-sql-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    engine = make_engine(url)
    upgrade_database(engine)
    app = create_app({"SECRET_KEY": "bench", "ELEARN_LRS_ENDPOINT": ""}, engine=engine)
    with app.app_context():
        session = app.extensions["elearn"].session_factory()
        import_course(session, COURSE)
        session.commit()
        session.close()
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    client.post(
        "/register",
        data={
            "csrf_token": _csrf(page),
            "email": "bench@example.org",
            "password": "correct horse battery",
            "audience": "teacher",
            "language": "en",
        },
    )
    page = client.get("/c/play-course").get_data(as_text=True)
    started = client.post("/c/play-course/start", data={"csrf_token": _csrf(page)})
    play_url = started.headers["Location"].split("#")[0]
    page = client.get(play_url).get_data(as_text=True)
    choice = re.search(r'name="choice" value="([^"]+)"', page)
    step = re.search(r'name="step" value="(\d+)"', page)
    assert choice and step, "the first node offers no choice"

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:110])

    event.listen(engine, "before_cursor_execute", record)
    client.post(
        play_url + "/choose",
        data={"csrf_token": _csrf(page), "choice": choice[1], "step": step[1]},
    )
    posted = len(seen)
    client.get(play_url)
    event.remove(engine, "before_cursor_execute", record)
    for n, sql in enumerate(seen, 1):
        print(f"{n:3} {'POST' if n <= posted else 'GET '} {sql}")
    print(f"database: {engine.dialect.name}")
    print(f"choice POST: {posted} SQL statements; the page it redirects to: {len(seen) - posted}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
