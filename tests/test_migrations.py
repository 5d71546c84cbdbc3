"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

import elearn.models  # noqa: F401
from elearn.db import Base
from elearn.migrate import VERSION_TABLE, downgrade_database, upgrade_database


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
