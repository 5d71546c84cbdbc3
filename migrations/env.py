"""Alembic environment: the engine comes from elearn (see elearn/migrate.py)."""

from __future__ import annotations

from alembic import context

import elearn.models  # noqa: F401  (registers every table on the metadata)
from elearn.db import Base
from elearn.migrate import VERSION_TABLE

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` use: ELEARN_DATABASE_URL or the embedded default
    import os

    from elearn.db import make_engine

    engine = make_engine(os.environ.get("ELEARN_DATABASE_URL", "sqlite:///instance/elearn.sqlite3"))


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Only elearn's own tables: a host app's tables in the same database are not ours.
    return type_ != "table" or bool(name and name.startswith("elearn_"))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
