"""API keys: shown once, stored hashed, scoped, revocable; and the keys command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from consentgate.cli.main import cli
from consentgate.errors import BadInput, NotFound
from consentgate.service.keys import KeyStore, Scope, hash_key
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from consentgate.store.service_tables import api_keys


def test_when_a_key_is_created_then_only_its_hash_is_stored(database_url: str) -> None:
    db = prepare_store(Settings(database_url=database_url))
    store = KeyStore(db)
    new = store.create([Scope.SCREEN, Scope.REPORT], name="platform")
    with db.read() as conn:
        row = conn.execute(select(api_keys)).one()._mapping
    assert new.key not in json.dumps({k: str(v) for k, v in row.items()})
    assert row["key_hash"] == hash_key(new.key)
    assert store.authenticate(new.key) is not None
    assert store.authenticate(new.key + "x") is None
    assert store.authenticate("not-a-key") is None
    db.dispose()


def test_when_a_key_is_revoked_then_it_no_longer_authenticates_but_is_listed(
    database_url: str,
) -> None:
    db = prepare_store(Settings(database_url=database_url))
    store = KeyStore(db)
    new = store.create([Scope.SCREEN])
    revoked = store.revoke(new.id)
    assert revoked.revoked is not None
    assert store.revoke(new.id).revoked == revoked.revoked  # idempotent
    assert store.authenticate(new.key) is None
    assert [k.id for k in store.list()] == [new.id]
    assert store.list(include_revoked=False) == []
    with pytest.raises(NotFound):
        store.revoke("nope")
    db.dispose()


@pytest.mark.parametrize(
    ("held", "wanted", "allowed"),
    [
        ((Scope.SCREEN,), Scope.SCREEN, True),
        ((Scope.SCREEN,), Scope.BANKS_WRITE, False),
        ((Scope.ADMIN,), Scope.BANKS_WRITE, True),
        ((Scope.MODERATE, Scope.REPORT), Scope.REPORT, True),
    ],
)
def test_when_a_scope_is_checked_then_admin_implies_all(
    sqlite_url: str, held: tuple[Scope, ...], wanted: Scope, allowed: bool
) -> None:
    store = KeyStore(prepare_store(Settings(database_url=sqlite_url)))
    key = store.authenticate(store.create(list(held)).key)
    assert key is not None and key.allows(wanted) is allowed


def test_when_a_key_has_no_scope_then_it_is_refused(sqlite_url: str) -> None:
    with pytest.raises(BadInput):
        KeyStore(prepare_store(Settings(database_url=sqlite_url))).create([])


def test_when_keys_are_managed_from_the_cli_then_create_list_revoke_work(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"CONSENTGATE_DATABASE_URL": sqlite_url}
    made = runner.invoke(
        cli,
        ["keys", "create", "--scope", "screen", "--scope", "report", "--name", "acme", "--json"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    assert set(created) == {"id", "key", "scopes", "user"}
    assert created["scopes"] == ["screen", "report"] and created["user"] is None
    listed = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    (entry,) = json.loads(listed.stdout)
    assert entry["name"] == "acme" and created["key"] not in listed.stdout
    assert runner.invoke(cli, ["keys", "revoke", created["id"]], env=env).exit_code == 0
    assert json.loads(runner.invoke(cli, ["keys", "list", "--json"], env=env).stdout)[0]["revoked"]
    missing = runner.invoke(cli, ["keys", "revoke", "nope"], env=env)
    assert missing.exit_code == 3


def test_when_a_key_is_created_for_people_then_the_key_is_printed_once(sqlite_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["keys", "create", "--scope", "admin", "--database-url", sqlite_url]
    )
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("cg_")


@pytest.mark.parametrize(
    ("name", "message"),
    [("a\x00b", "control character"), ("x" * 201, "longer than 200"), ("a\ud800", "surrogate")],
)
def test_when_a_key_name_cannot_be_stored_then_bad_input_names_it(
    database_url: str, name: str, message: str
) -> None:
    db = prepare_store(Settings(database_url=database_url))
    try:
        with pytest.raises(BadInput, match=message) as caught:
            KeyStore(db).create([Scope.SCREEN], name=name)
        assert caught.value.field == "name"
        assert KeyStore(db).list() == []
    finally:
        db.dispose()
