"""Migration 0018 on SQLite and PostgreSQL: users made before it can be given passwords;
it can be undone without touching users or keys."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from consentgate.people import Role
from consentgate.service.accounts import Accounts
from consentgate.service.keys import KeyStore, Scope
from consentgate.service.logins import Logins
from consentgate.service.sessions import SessionStore
from consentgate.store.database import Database
from consentgate.store.migrate import alembic_config, current_heads, upgrade
from consentgate.store.users_tables import users
from tests.console.fakes import cheap_passwords

GOOD = "correct horse battery staple"


def test_when_a_store_with_users_is_upgraded_then_they_get_passwords_and_downgrade_keeps_them(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db, "0017_agency_reports")
    keys = KeyStore(db)
    with db.write() as conn:  # a user as 0010 made them (the store of 0017 has no new columns)
        conn.exec_driver_sql(
            "INSERT INTO users (id, name, name_key, role, created) "
            "VALUES ('u1', 'alice', 'alice', 'moderator', CURRENT_TIMESTAMP)"
        )
    upgrade(db)
    with db.read() as conn:
        row = conn.execute(select(users)).one()
    assert (row.failed_logins, row.locked_at, row.password_hash) == (0, None, None)
    logins = Logins(db, SessionStore(db), passwords=cheap_passwords())
    Accounts(logins).set_password("alice", GOOD)
    _, raw = logins.log_in("alice", GOOD)
    key = keys.create([Scope.MODERATE], user="alice").key
    command.downgrade(alembic_config(db), "0017_agency_reports")
    assert current_heads(db) == {"0017_agency_reports"}
    inspector = inspect(db.engine)
    assert "console_sessions" not in inspector.get_table_names()
    assert {c["name"] for c in inspector.get_columns("users")} >= {"id", "name", "password_hash"}
    assert "failed_logins" not in {c["name"] for c in inspector.get_columns("users")}
    upgrade(db)
    bound = keys.authenticate(key)
    assert bound is not None and bound.user is not None and bound.user.name == "alice"
    assert logins.sessions.find(raw) is None  # sessions do not survive a downgrade
    assert logins.log_in("alice", GOOD)[0].role is Role.MODERATOR
    db.dispose()
