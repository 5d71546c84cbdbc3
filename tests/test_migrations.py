"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Engine

import elearn.models  # noqa: F401
from elearn.db import Base
from elearn.migrate import VERSION_TABLE, downgrade_database, upgrade_database
from elearn.tracking.models import StoredStatement


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    tables = type_ == "table"
    return not tables or bool(name and name.startswith("elearn_") and name != VERSION_TABLE)


def test_migrated_database_matches_the_models(db: Engine) -> None:
    with db.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": _ours, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_nothing_and_back(db: Engine) -> None:
    downgrade_database(db, "base")
    left = [n for n in inspect(db).get_table_names() if n.startswith("elearn_")]
    assert left == [VERSION_TABLE]
    upgrade_database(db)
    tables = set(inspect(db).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_0012_marks_the_memberships_of_host_learners_as_the_hosts(db: Engine) -> None:
    """Before 0012 the hook's memberships were all a host learner had: they become the host's,
    and an own learner's stay elearn's."""
    downgrade_database(db, "0009")
    now = "2026-12-01 12:00:00"
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO elearn_organisations (id, slug, name, created_at, kind) "
                "VALUES (1, 'oslo', 'Oslo', :now, 'other')"
            ),
            {"now": now},
        )
        for uid, email in ((1, "host@host.invalid"), (2, "own@example.no")):
            conn.execute(
                text(
                    "INSERT INTO elearn_users (id, email, password_hash, audience, role, xapi_id,"
                    " failed_logins, created_at, session_generation, active) VALUES (:id, :email,"
                    " 'x', 'other', 'learner', :xapi, 0, :now, 0, :active)"
                ),
                {"id": uid, "email": email, "xapi": f"xapi-{uid}", "now": now, "active": True},
            )
            conn.execute(
                text(
                    "INSERT INTO elearn_memberships (user_id, organisation_id, role, created_at)"
                    " VALUES (:id, 1, 'learner', :now)"
                ),
                {"id": uid, "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO elearn_host_links (host_id, user_id, created_at) VALUES ('h1', 1, :now)"
            ),
            {"now": now},
        )
    upgrade_database(db)
    with db.connect() as conn:
        sources = dict(conn.execute(text("SELECT user_id, source FROM elearn_memberships")).all())
    assert sources == {1: "host", 2: "elearn"}


def test_0013_fills_the_response_of_statements_stored_before(db: Engine) -> None:
    """The choice distribution reads `response`: statements stored before the column existed
    get it from their JSON body, the others stay empty."""
    downgrade_database(db, "0011")
    answered = "http://adlnet.gov/expapi/verbs/answered"

    def statement(sid: str, verb: str, result: dict | None) -> dict:
        body = {"id": sid, "verb": {"id": verb}, "object": {"id": "https://example.org/n1"}}
        if result is not None:
            body["result"] = result
        return {
            "id": sid,
            "actor_key": "account:https://example.org|p1",
            "verb_id": verb,
            "activity_id": "https://example.org/n1",
            "timestamp": dt.datetime(2026, 6, 1),
            "body": body,
        }

    rows = [
        statement("00000000-0000-4000-8000-000000000001", answered, {"response": "listen"}),
        statement("00000000-0000-4000-8000-000000000002", answered, {"response": "x" * 300}),
        statement("00000000-0000-4000-8000-000000000003", answered, {"success": True}),
        statement("00000000-0000-4000-8000-000000000004", "http://x/launched", None),
    ]
    table = StoredStatement.__table__
    with db.begin() as conn:
        for row in rows:
            conn.execute(insert(table).values(row))
    upgrade_database(db)
    with db.connect() as conn:
        got = dict(conn.execute(select(table.c.id, table.c.response).order_by(table.c.seq)).all())
    assert list(got.values()) == ["listen", "x" * 255, None, None]
