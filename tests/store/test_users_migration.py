"""Migration 0010 on SQLite and PostgreSQL: users arrive, keys made before them still work."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from consentgate.people import Role
from consentgate.records import utc_now
from consentgate.service.keys import KeyStore, Scope, hash_key
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.users_tables import users

OLD_KEY = "cg_" + "x" * 43


def test_when_a_store_with_keys_is_upgraded_then_old_keys_work_and_new_keys_bind_users(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db, "0009_one_line")
    with db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created) "
                "VALUES ('k1', 'before', 'cg_xxxxxxx', :h, '[\"moderate\"]', CURRENT_TIMESTAMP)"
            ),
            {"h": hash_key(OLD_KEY)},
        )
    upgrade(db)
    keys = KeyStore(db)
    old = keys.authenticate(OLD_KEY)
    assert old is not None and old.user is None and old.actor == "key:k1"
    alice = keys.users.add("alice", Role.MODERATOR)
    bound = keys.authenticate(keys.create([Scope.MODERATE], user="alice").key)
    assert bound is not None and bound.user == alice
    db.dispose()


def test_when_two_rows_share_a_name_key_then_the_store_itself_refuses(database_url: str) -> None:
    db = Database(database_url)
    upgrade(db)
    row = {"name": "alice", "name_key": "alice", "role": "moderator"}
    with db.write() as conn:
        conn.execute(users.insert().values(id="u1", created=utc_now(), **row))
    with pytest.raises(IntegrityError), db.write() as conn:
        conn.execute(users.insert().values(id="u2", created=utc_now(), **row | {"name": "Alice"}))
    db.dispose()
