"""What a host's learner costs the database per page: the SQL of one play page in the host app
of the README (tests/host_app.py), where elearn asks the host's hook and brings the learner in
line with it on every request, listed and counted.

    .venv/bin/python bench/host_page_sql.py [--database-url URL]

A fresh database (SQLite in a temporary folder unless --database-url is given, which must be
empty of the host's `person` table) gets the host's table and elearn's, the fixture course, one
host person who signs in on the host and starts the course; then the play page is fetched
twice through the real app (Flask's test client) while SQLAlchemy's cursor events record every
statement. Prints the statements and the counts; nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elearn.content.service import import_course  # noqa: E402
from elearn.migrate import upgrade_database  # noqa: E402
from tests import host_app  # noqa: E402

COURSE = ROOT / "tests" / "fixtures" / "play-course"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="elearn-host-sql-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = host_app.create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        engine = host_app.db.engine
        upgrade_database(engine)
        session = app.extensions["elearn"].session_factory()
        import_course(session, COURSE)
        session.commit()
        session.close()
        password = generate_password_hash("correct horse battery")
        host_app.db.session.add(host_app.Person(email="b@example.org", password_hash=password))
        host_app.db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "b@example.org", "password": "correct horse battery"})
    page = client.get("/kurs/c/play-course").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no start form: the host's person is not a learner"
    started = client.post("/kurs/c/play-course/start", data={"csrf_token": token.group(1)})
    play_url = started.headers["Location"].split("#")[0]

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:110])

    event.listen(engine, "before_cursor_execute", record)
    counts = []
    for _ in range(2):
        seen.clear()
        assert client.get(play_url).status_code == 200
        counts.append(len(seen))
    event.remove(engine, "before_cursor_execute", record)
    print(f"database: {engine.dialect.name}; python {sys.version.split()[0]}")
    print("the play page of a host's learner (second fetch):")
    for line in seen:
        print("  ", line)
    print(f"SQL statements per page: {counts[0]} (first fetch), {counts[1]} (second fetch)")
    with app.app_context():
        host_app.db.drop_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
