"""Runs the Alembic migrations in `migrations/` against an engine, from code or the CLI.

elearn keeps its own version table (`elearn_alembic_version`) so it can live in a host
application's database next to the host's own Alembic history.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def _migrations_dir() -> Path:
    """Installed, the migrations are the package `elearn.migrations` (setup.py maps the
    repository's top-level `migrations/` to it); in a bare checkout, the folder itself."""
    try:
        return Path(str(resources.files("elearn.migrations")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "migrations"


MIGRATIONS = _migrations_dir()
VERSION_TABLE = "elearn_alembic_version"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade_database(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)
