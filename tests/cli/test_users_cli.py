"""``consentgate users`` and ``keys create --user``: real people behind every case action."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consentgate.cases.records import CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.database import Database


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def add(settings: Settings, name: str, role: str = "moderator") -> tuple[int, str, str]:
    return run(settings, "users", "add", name, "--role", role)


def test_when_users_are_added_listed_and_disabled_then_the_list_shows_each_state(
    settings: Settings,
) -> None:
    code, out, err = add(settings, "Alice", "moderator")
    assert code == 0, err
    assert out.startswith("added Alice (moderator: change_banks, decide)")
    assert add(settings, "bob", "appeals")[0] == 0
    code, out, _ = run(settings, "users", "disable", "ALICE")
    assert code == 0 and out == "disabled Alice\n"
    code, out, _ = run(settings, "users", "list", "--json")
    listed = {u["name"]: u for u in json.loads(out)}
    assert set(listed) == {"Alice", "bob"}
    assert listed["Alice"]["disabled"] is not None and listed["bob"]["disabled"] is None
    assert listed["bob"]["role"] == "appeals"
    code, out, _ = run(settings, "users", "list")
    assert code == 0 and "Alice" in out and "appeals" in out


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("alice", "Alice"),
        ("alice", " alice "),
        ("bob", "ｂob"),  # full-width b
        ("bob", "ＢＯＢ"),
        ("Straße", "STRASSE"),
        ("ann lee", "ann   lee"),
    ],
)
def test_when_a_name_is_taken_in_another_form_then_conflict_exit_3(
    settings: Settings, first: str, second: str
) -> None:
    assert add(settings, first)[0] == 0
    code, _, err = add(settings, second)
    assert code == 3 and "exists" in err
    code, out, _ = run(settings, "users", "list", "--json")
    assert [u["name"] for u in json.loads(out)] == [first]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("a" * 101, "longer than 100"),
        ("bad\nname", "control character"),
        ("tab\tname", "control character"),
        ("key:abc", "reserved"),
        ("Automated", "reserved"),
        ("notifier", "reserved"),
    ],
)
def test_when_a_name_cannot_be_a_users_then_exit_2(settings: Settings, name: str, why: str) -> None:
    code, _, err = add(settings, name)
    assert code == 2 and why in err


def test_when_an_unknown_role_is_given_then_exit_2_naming_the_roles(settings: Settings) -> None:
    code, _, err = add(settings, "alice", "boss")
    assert code == 2 and "moderator" in err and "compliance" in err


def test_when_an_unknown_user_is_disabled_then_exit_3(settings: Settings) -> None:
    code, _, err = run(settings, "users", "disable", "nobody")
    assert code == 3 and "no user named 'nobody'" in err


def _case(settings: Settings) -> str:
    db = Database(settings.database_url)
    try:
        return CaseService(db, settings).open(CaseKind.DSA_NOTICE, Item(url="https://x.test/")).id
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("actor", "why"),
    [("mallory", "no user named 'mallory'"), ("gone", "user 'gone' is disabled")],
)
def test_when_actor_is_not_an_active_user_then_exit_2_and_nothing_is_recorded(
    settings: Settings, actor: str, why: str
) -> None:
    add(settings, "gone")
    run(settings, "users", "disable", "gone")
    case_id = _case(settings)
    code, _, err = run(settings, "cases", "decide", case_id, "--action", "remove",
                       "--reason", "r", "--actor", actor)  # fmt: skip
    assert code == 2 and why in err
    code, out, _ = run(settings, "cases", "show", case_id, "--json")
    assert [e["kind"] for e in json.loads(out)["events"]] == ["received"]


def test_when_actor_names_a_user_in_another_form_then_the_event_names_that_user(
    settings: Settings,
) -> None:
    add(settings, "Alice")
    case_id = _case(settings)
    code, _, err = run(settings, "cases", "decide", case_id, "--action", "remove",
                       "--reason", "r", "--actor", " ａｌｉｃｅ ")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(settings, "cases", "show", case_id, "--json")
    shown = json.loads(out)
    users = {u["name"]: u["id"] for u in json.loads(run(settings, "users", "list", "--json")[1])}
    decided = shown["events"][1]
    assert decided["actor"] == "Alice" and decided["data"]["user_id"] == users["Alice"]
    assert shown["case"]["decided_by_user"] == users["Alice"]


def test_when_a_key_is_created_for_a_user_then_it_is_bound_and_listed_with_them(
    settings: Settings,
) -> None:
    add(settings, "alice", "moderator")
    code, out, err = run(settings, "keys", "create", "--scope", "moderate", "--user", "ALICE",
                         "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["user"] == "alice"
    code, out, _ = run(settings, "keys", "list", "--json")
    (key,) = json.loads(out)
    assert key["user"]["name"] == "alice" and key["user"]["role"] == "moderator"


@pytest.mark.parametrize(
    ("role", "scope", "code", "why"),
    [
        ("moderator", "admin", 2, "does not allow the admin scope"),
        ("appeals", "banks:write", 2, "does not allow the banks:write scope"),
        ("compliance", "moderate", 2, "does not allow the moderate scope"),
        ("compliance", "report", 0, ""),
        ("admin", "admin", 0, ""),
    ],
)
def test_when_a_keys_scopes_exceed_its_users_role_then_exit_2(
    settings: Settings, role: str, scope: str, code: int, why: str
) -> None:
    add(settings, "pat", role)
    got, _, err = run(settings, "keys", "create", "--scope", scope, "--user", "pat")
    assert got == code and why in err


@pytest.mark.parametrize(("user", "why"), [("nobody", "no user named"), ("gone", "disabled")])
def test_when_a_key_names_no_active_user_then_exit_2(
    settings: Settings, user: str, why: str
) -> None:
    add(settings, "gone")
    run(settings, "users", "disable", "gone")
    code, _, err = run(settings, "keys", "create", "--scope", "moderate", "--user", user)
    assert code == 2 and why in err
    assert json.loads(run(settings, "keys", "list", "--json")[1]) == []
