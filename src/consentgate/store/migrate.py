"""Run the Alembic migrations that ship inside the package."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from consentgate.store.database import Database


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("consentgate.store") / "migrations"))
    config.attributes["database"] = db
    return config


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the database schema up to date (idempotent)."""
    command.upgrade(alembic_config(db), revision)


def current_heads(db: Database) -> set[str]:
    with db.read() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def script_heads(db: Database) -> set[str]:
    """The newest revision(s) that ship with this version of ConsentGate."""
    return set(ScriptDirectory.from_config(alembic_config(db)).get_heads())


def is_up_to_date(db: Database) -> bool:
    return current_heads(db) == script_heads(db)
