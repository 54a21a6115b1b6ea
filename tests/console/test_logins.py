"""Log-in, sessions and lock-out over a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from consentgate.audit import chain
from consentgate.cases.records import CaseEvent, EventKind
from consentgate.errors import BadInput, Forbidden, Unauthorized
from consentgate.people import Role, User
from consentgate.service.accounts import Accounts
from consentgate.service.logins import WRONG, AccountLocked, Lockout, Logins
from consentgate.service.passwords import Passwords
from consentgate.service.sessions import SessionPolicy, SessionStore, session_hash
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.users_tables import console_sessions, users
from tests.console.fakes import CHEAP, Clock

GOOD = "correct horse battery staple"
BAD = "correct horse battery stable"


@dataclass
class Rig:
    db: Database
    clock: Clock
    logins: Logins
    accounts: Accounts

    def events(self, kind: EventKind) -> list[CaseEvent]:
        with self.db.read() as conn:
            return [e for e in chain.events(conn) if e.kind is kind]

    def failures(self, user: User) -> int:
        with self.db.read() as conn:
            query = select(users.c.failed_logins).where(users.c.id == user.id)
            return int(conn.execute(query).scalar_one())


def rig_for(db: Database, *, minutes: float = 15, passwords: Passwords | None = None) -> Rig:
    clock = Clock()
    sessions = SessionStore(
        db, SessionPolicy(lifetime=timedelta(hours=12), idle=timedelta(minutes=30)), clock=clock
    )
    logins = Logins(
        db,
        sessions,
        passwords=passwords or Passwords(CHEAP),
        lockout=Lockout(failures=5, minutes=minutes),
        clock=clock,
    )
    return Rig(db, clock, logins, Accounts(logins))


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def rig(db: Database) -> Rig:
    return rig_for(db)


@pytest.fixture
def alice(rig: Rig) -> User:
    return rig.accounts.add("Alice", Role.MODERATOR, GOOD)


def test_when_the_password_is_right_then_a_session_begins_and_the_log_in_is_recorded(
    rig: Rig, alice: User
) -> None:
    user, raw = rig.logins.log_in(" ａｌｉｃｅ ", GOOD)  # the name in another form
    assert user == alice
    session = rig.logins.sessions.find(raw)
    assert session is not None and session.user == alice
    assert session.expires == rig.clock.now + timedelta(hours=12)
    (event,) = rig.events(EventKind.LOGGED_IN)
    assert (event.actor, event.data["user_id"], event.data["subject_id"]) == (
        "Alice",
        alice.id,
        alice.id,
    )


def test_when_the_store_is_read_then_it_holds_only_a_hash_of_the_session_id(
    rig: Rig, alice: User
) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    with rig.db.read() as conn:
        rows = conn.execute(select(console_sessions)).all()
    assert [r.id_hash for r in rows] == [session_hash(raw)]
    assert all(raw not in str(value) for r in rows for value in r)


@pytest.mark.parametrize(("name", "password"), [("alice", BAD), ("mallory", GOOD), ("", "")])
def test_when_the_name_or_password_is_wrong_then_the_same_refusal_and_no_session(
    rig: Rig, alice: User, name: str, password: str
) -> None:
    with pytest.raises(Unauthorized) as caught:
        rig.logins.log_in(name, password)
    assert caught.value.message == WRONG
    assert rig.logins.sessions.count(alice.id) == 0
    assert rig.events(EventKind.LOGGED_IN) == []


@pytest.mark.parametrize("name", ["al\x00ice", "\udcff", "a" * 5000])
def test_when_the_name_cannot_be_stored_then_it_is_a_wrong_name_not_a_fault(
    rig: Rig, name: str
) -> None:
    with pytest.raises(Unauthorized):
        rig.logins.log_in(name, GOOD)


def test_when_five_wrong_passwords_then_the_account_locks_even_for_the_right_one(
    rig: Rig, alice: User
) -> None:
    for _ in range(4):
        with pytest.raises(Unauthorized):
            rig.logins.log_in("alice", BAD)
    with pytest.raises(AccountLocked, match="locked"):
        rig.logins.log_in("alice", BAD)
    with pytest.raises(AccountLocked):
        rig.logins.log_in("alice", GOOD)
    (event,) = rig.events(EventKind.LOCKED_OUT)
    assert event.actor == "automated"
    assert event.data == {"subject_id": alice.id, "subject": "Alice", "failures": 5}
    assert rig.accounts.get("alice").locked


def test_when_the_lock_lapses_then_the_right_password_works_and_the_count_restarts(
    rig: Rig, alice: User
) -> None:
    for _ in range(5):
        with pytest.raises((Unauthorized, AccountLocked)):
            rig.logins.log_in("alice", BAD)
    rig.clock.move(minutes=14)
    with pytest.raises(AccountLocked):
        rig.logins.log_in("alice", GOOD)
    rig.clock.move(minutes=2)
    assert not rig.accounts.get("alice").locked
    with pytest.raises(Unauthorized) as caught:  # one wrong password after the lock: not locked
        rig.logins.log_in("alice", BAD)
    assert not isinstance(caught.value, AccountLocked) and rig.failures(alice) == 1
    assert rig.logins.log_in("alice", GOOD)[0] == alice
    assert rig.failures(alice) == 0


def test_when_the_lock_has_no_time_limit_then_only_an_admin_lifts_it(db: Database) -> None:
    rig = rig_for(db, minutes=0)
    rig.accounts.add("alice", Role.MODERATOR, GOOD)
    root = rig.accounts.add("root", Role.ADMIN, GOOD + "!")
    for _ in range(5):
        with pytest.raises((Unauthorized, AccountLocked)):
            rig.logins.log_in("alice", BAD)
    rig.clock.move(days=365)
    with pytest.raises(AccountLocked, match="ask an admin"):
        rig.logins.log_in("alice", GOOD)
    rig.accounts.unlock("alice", actor=root)
    assert rig.logins.log_in("alice", GOOD)[0].name == "alice"
    unlocked = [e for e in rig.events(EventKind.USER_CHANGED) if e.data["change"] == "unlocked"]
    assert [(e.actor, e.data["user_id"]) for e in unlocked] == [("root", root.id)]


def test_when_a_right_password_comes_between_wrong_ones_then_the_count_restarts(
    rig: Rig, alice: User
) -> None:
    for _ in range(4):
        with pytest.raises(Unauthorized):
            rig.logins.log_in("alice", BAD)
    rig.logins.log_in("alice", GOOD)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            rig.logins.log_in("alice", BAD)
    assert not rig.accounts.get("alice").locked and rig.events(EventKind.LOCKED_OUT) == []


def test_when_many_wrong_passwords_arrive_at_once_then_one_lock_and_every_one_counted(
    rig: Rig, alice: User
) -> None:
    def attempt(_: int) -> type[Exception]:
        try:
            rig.logins.log_in("alice", BAD)
        except (Unauthorized, Forbidden) as exc:
            return type(exc)
        raise AssertionError("a wrong password logged in")

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    assert outcomes.count(Unauthorized) == 4  # the fifth and every later one: locked
    assert len(rig.events(EventKind.LOCKED_OUT)) == 1


def test_when_a_user_has_no_password_then_they_cannot_log_in(rig: Rig) -> None:
    rig.accounts.add("keyonly", Role.MODERATOR)
    with pytest.raises(Unauthorized):
        rig.logins.log_in("keyonly", "")
    assert not rig.accounts.get("keyonly").has_password


def test_when_a_user_is_disabled_then_their_sessions_end_and_they_cannot_log_in(
    rig: Rig, alice: User
) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    root = rig.accounts.add("root", Role.ADMIN, GOOD + "!")
    rig.accounts.disable("alice", actor=root)
    assert rig.logins.sessions.find(raw) is None and rig.logins.sessions.count(alice.id) == 0
    with pytest.raises(Forbidden, match="disabled"):
        rig.logins.log_in("alice", GOOD)
    disabled = [e for e in rig.events(EventKind.USER_CHANGED) if e.data["change"] == "disabled"]
    assert [(e.actor, e.data["user_id"], e.data["subject_id"]) for e in disabled] == [
        ("root", root.id, alice.id)
    ]


def test_when_a_new_password_is_set_then_sessions_end_the_old_one_fails_and_the_lock_lifts(
    rig: Rig, alice: User
) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    for _ in range(5):
        with pytest.raises((Unauthorized, AccountLocked)):
            rig.logins.log_in("alice", BAD)
    rig.accounts.set_password("alice", "a brand new passphrase")
    assert rig.logins.sessions.find(raw) is None
    with pytest.raises(Unauthorized):
        rig.logins.log_in("alice", GOOD)
    assert rig.logins.log_in("alice", "a brand new passphrase")[0] == alice
    changes = [e.data["change"] for e in rig.events(EventKind.USER_CHANGED)]
    assert changes == ["added", "password_set"]


def test_when_a_weak_password_is_given_then_nothing_changes(rig: Rig, alice: User) -> None:
    with pytest.raises(BadInput):
        rig.accounts.set_password("alice", "short")
    with pytest.raises(BadInput):
        rig.accounts.add("bob", Role.APPEALS, "bob")
    assert [a.user.name for a in rig.accounts.list()] == ["Alice"]
    assert rig.logins.log_in("alice", GOOD)[0] == alice


def test_when_a_session_is_in_use_then_it_lasts_until_its_lifetime(rig: Rig, alice: User) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    for _ in range(28):  # a request every 25 minutes, for 11 h 40 min
        rig.clock.move(minutes=25)
        assert rig.logins.sessions.find(raw) is not None
    rig.clock.move(minutes=25)  # 12 h 5 min after log-in
    assert rig.logins.sessions.find(raw) is None


def test_when_a_session_is_idle_then_it_ends(rig: Rig, alice: User) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    rig.clock.move(minutes=29)
    assert rig.logins.sessions.find(raw) is not None
    rig.clock.move(minutes=30)
    assert rig.logins.sessions.find(raw) is None
    assert rig.logins.sessions.count(alice.id) == 0  # and its row is gone


def test_when_logging_in_again_then_the_previous_session_id_ends(rig: Rig, alice: User) -> None:
    _, first = rig.logins.log_in("alice", GOOD)
    _, second = rig.logins.log_in("alice", GOOD, replacing=first)
    assert first != second
    assert rig.logins.sessions.find(first) is None and rig.logins.sessions.find(second)


def test_when_logged_out_then_the_session_is_gone_and_the_event_names_the_user(
    rig: Rig, alice: User
) -> None:
    _, raw = rig.logins.log_in("alice", GOOD)
    assert rig.logins.log_out(raw) == alice
    assert rig.logins.sessions.find(raw) is None
    assert rig.logins.log_out(raw) is None  # twice: nothing more happens
    (event,) = rig.events(EventKind.LOGGED_OUT)
    assert (event.actor, event.data["user_id"]) == ("Alice", alice.id)


def test_when_a_hash_has_older_parameters_then_a_good_log_in_rehashes_it(db: Database) -> None:
    rig_for(db).accounts.add("alice", Role.MODERATOR, GOOD)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    rig_for(db, passwords=stronger).logins.log_in("alice", GOOD)
    with db.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert "t=2" in stored and not stronger.needs_rehash(stored)
    assert stronger.verify(stored, GOOD)
