"""``consentgate users add --password-stdin/--password``, ``users passwd`` and ``users unlock``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consentgate.audit import chain
from consentgate.cases.records import EventKind
from consentgate.cli import users as users_cli
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.errors import Forbidden, Unauthorized
from consentgate.service.logins import AccountLocked, Logins, build_logins
from consentgate.settings import Settings
from consentgate.store.database import Database

GOOD = "correct horse battery staple"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


def run(settings: Settings, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def logins(settings: Settings) -> tuple[Logins, Database]:
    db = Database(settings.database_url)
    return build_logins(db, settings), db


def can_log_in(settings: Settings, name: str, password: str) -> bool:
    service, db = logins(settings)
    try:
        service.log_in(name, password)
        return True
    except (Unauthorized, Forbidden):
        return False
    finally:
        db.dispose()


def test_when_a_user_is_added_with_a_password_on_stdin_then_they_can_log_in(
    settings: Settings,
) -> None:
    code, out, err = run(
        settings, "users", "add", "alice", "--role", "moderator", "--password-stdin",
        stdin=GOOD + "\r\n",
    )  # fmt: skip
    assert code == 0, err
    assert out == "added alice (moderator: change_banks, decide, console password set)\n"
    assert can_log_in(settings, "alice", GOOD)
    assert not can_log_in(settings, "alice", GOOD + "\r")
    code, out, _ = run(settings, "users", "list")
    assert "password set" in out


@pytest.mark.parametrize(
    ("stdin", "why"),
    [("", "no password on standard input"), ("\n", "no password"), ("short\n", "at least 15")],
)
def test_when_the_password_on_stdin_is_missing_or_weak_then_exit_2_and_no_user(
    settings: Settings, stdin: str, why: str
) -> None:
    code, _, err = run(
        settings, "users", "add", "alice", "--role", "moderator", "--password-stdin", stdin=stdin
    )
    assert code == 2 and why in err and err.count("\n") == 1
    assert json.loads(run(settings, "users", "list", "--json")[1]) == []


def test_when_password_is_asked_without_a_terminal_then_exit_2_pointing_to_stdin(
    settings: Settings,
) -> None:
    code, _, err = run(settings, "users", "add", "alice", "--role", "admin", "--password")
    assert code == 2 and "--password-stdin" in err
    code, _, err = run(
        settings, "users", "add", "a", "--role", "admin", "--password", "--password-stdin"
    )
    assert code == 2 and "not both" in err


def test_when_password_is_asked_on_a_terminal_then_it_is_asked_twice_until_they_match(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users_cli, "stdin_is_a_terminal", lambda: True)
    typed = f"{GOOD}\n{GOOD}!\n{GOOD}\n{GOOD}\n"  # a slip, then the same twice
    code, out, err = run(
        settings, "users", "add", "alice", "--role", "admin", "--password", stdin=typed
    )
    assert code == 0, err
    assert "do not match" in err and GOOD not in out + err
    assert can_log_in(settings, "alice", GOOD)


def test_when_a_password_is_changed_then_the_old_one_fails_and_sessions_end(
    settings: Settings,
) -> None:
    run(settings, "users", "add", "alice", "--role", "moderator", "--password-stdin", stdin=GOOD)
    service, db = logins(settings)
    _, raw = service.log_in("alice", GOOD)
    code, out, err = run(settings, "users", "passwd", "ALICE", "--password-stdin", stdin="n" * 20)
    assert code == 0, err
    assert out == "password set for alice; their console sessions have ended\n"
    assert service.sessions.find(raw) is None
    db.dispose()
    assert not can_log_in(settings, "alice", GOOD) and can_log_in(settings, "alice", "n" * 20)


def test_when_passwd_names_nobody_or_has_no_terminal_then_it_says_so(settings: Settings) -> None:
    code, _, err = run(settings, "users", "passwd", "nobody", "--password-stdin", stdin=GOOD)
    assert code == 3 and "no user named 'nobody'" in err
    run(settings, "users", "add", "alice", "--role", "moderator")
    code, _, err = run(settings, "users", "passwd", "alice")
    assert code == 2 and "--password-stdin" in err


def test_when_an_account_is_locked_then_unlock_lets_the_right_password_in(
    settings: Settings,
) -> None:
    run(settings, "users", "add", "alice", "--role", "moderator", "--password-stdin", stdin=GOOD)
    service, db = logins(settings)
    for _ in range(5):
        with pytest.raises((Unauthorized, AccountLocked)):
            service.log_in("alice", "not the password at all")
    db.dispose()
    assert "locked" in run(settings, "users", "list")[1]
    assert not can_log_in(settings, "alice", GOOD)
    code, out, _ = run(settings, "users", "unlock", "alice")
    assert code == 0 and out == "unlocked alice\n"
    assert can_log_in(settings, "alice", GOOD)
    assert run(settings, "users", "unlock", "nobody")[0] == 3


def test_when_users_change_from_the_command_line_then_each_change_is_an_operator_event(
    settings: Settings,
) -> None:
    run(settings, "users", "add", "alice", "--role", "moderator", "--password-stdin", stdin=GOOD)
    run(settings, "users", "add", "bob", "--role", "appeals")
    run(settings, "users", "passwd", "bob", "--password-stdin", stdin=GOOD)
    run(settings, "users", "unlock", "bob")
    run(settings, "users", "disable", "alice")
    run(settings, "users", "disable", "alice")  # already disabled: no second event
    db = Database(settings.database_url)
    with db.read() as conn:
        found = [e for e in chain.events(conn) if e.kind is EventKind.USER_CHANGED]
    db.dispose()
    assert [(e.actor, e.data["subject"], e.data["change"]) for e in found] == [
        ("operator", "alice", "added"),
        ("operator", "bob", "added"),
        ("operator", "bob", "password_set"),
        ("operator", "bob", "unlocked"),
        ("operator", "alice", "disabled"),
    ]
    assert [e.data["password"] for e in found[:2]] == [True, False]
    assert all("user_id" not in e.data for e in found)  # nobody logged in: no person's id
