"""Console log-in: passwords checked, wrong ones counted, accounts locked, sessions begun.

The lock-out (docs/console.md): ``failures`` wrong passwords in a row lock an
account for ``minutes`` (0: until an admin unlocks it with ``users unlock`` or
the users page). A good password resets the count; so does the end of a lock,
a new password or an unlock. While locked, no password is checked at all, so
guessing on gains nothing. A name that names nobody is answered exactly as a
wrong password (same message, an argon2 check of the same cost), but a locked
account says it is locked: users need to know why they cannot get in, and
names are not secrets here (they are in the audit chain).

Log-in, log-out and lock-out are audit events (``logged_in``, ``logged_out``,
``locked_out``); failed attempts are not (an unknown name is attacker-chosen
text, and the chain keeps everything forever): they are counted, and limited
per client address by the console.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from consentgate.cases.records import AUTOMATED, EventKind
from consentgate.errors import Forbidden, Unauthorized
from consentgate.fields import refusal
from consentgate.people import User, name_key
from consentgate.records import utc_now
from consentgate.service.passwords import Passwords
from consentgate.service.sessions import SessionPolicy, SessionStore
from consentgate.service.users import aware, to_user, user_event
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.users_tables import users

WRONG = "wrong name or password"


class AccountLocked(Forbidden):
    """Too many wrong passwords: no password is checked until the lock ends."""

    title = "Account locked"


@dataclass(frozen=True)
class Lockout:
    """``CONSENTGATE_CONSOLE_LOCKOUT_FAILURES`` and ``_MINUTES`` (0: until unlocked)."""

    failures: int = 5
    minutes: float = 15

    def until(self, locked_at: datetime | None) -> datetime | None:
        """When a lock taken at ``locked_at`` ends (``datetime.max`` for never); None: no lock."""
        if locked_at is None:
            return None
        if self.minutes <= 0:
            return datetime.max.replace(tzinfo=locked_at.tzinfo)
        return locked_at + timedelta(minutes=self.minutes)


def locked_message(until: datetime) -> str:
    if until.year == datetime.max.year:
        return "this account is locked after too many wrong passwords: ask an admin to unlock it"
    return (
        "this account is locked after too many wrong passwords until "
        f"{until:%Y-%m-%d %H:%M} UTC, or until an admin unlocks it"
    )


class Logins:
    """Checks passwords and begins and ends console sessions."""

    def __init__(
        self,
        db: Database,
        sessions: SessionStore,
        *,
        passwords: Passwords | None = None,
        lockout: Lockout | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.sessions = sessions
        self.passwords = passwords or Passwords()
        self.lockout = lockout or Lockout()
        self.clock = clock

    def _row(self, name: str) -> Any:
        if len(name) > 1000 or refusal(name, one_line=True) is not None:
            return None  # no user has such a name, and some stores refuse to look it up
        with self.db.read() as conn:
            return conn.execute(select(users).where(users.c.name_key == name_key(name))).first()

    def _live_lock(self, locked_at: datetime | None) -> datetime | None:
        until = self.lockout.until(aware(locked_at))
        return until if until is not None and self.clock() < until else None

    def log_in(self, name: str, password: str, *, replacing: str | None = None) -> tuple[User, str]:
        """The user and a new session id; Unauthorized or AccountLocked otherwise.

        ``replacing`` is the session id the browser held before (if any): it
        ends here, so a log-in always starts a fresh id (no session fixation).
        """
        row = self._row(name)
        if row is None:
            self.passwords.verify(None, password)  # the same cost as a wrong password
            raise Unauthorized(WRONG)
        until = self._live_lock(row.locked_at)
        if until is not None:
            raise AccountLocked(locked_message(until))
        good = self.passwords.verify(row.password_hash, password)
        user = to_user(row._mapping)
        if not good:
            self._failed(user)
        if not user.active:
            raise Forbidden(f"user {user.name!r} is disabled")
        with self.db.write() as conn:
            again = conn.execute(
                select(users.c.locked_at).where(users.c.id == user.id).with_for_update()
            ).one()
            if (until := self._live_lock(again.locked_at)) is not None:  # locked meanwhile
                raise AccountLocked(locked_message(until))
            values: dict[str, Any] = {"failed_logins": 0, "locked_at": None}
            if self.passwords.needs_rehash(row.password_hash):
                values["password_hash"] = self.passwords.hash(password)
            conn.execute(update(users).where(users.c.id == user.id).values(**values))
            if replacing:
                self.sessions.end(replacing, conn)
            self.sessions.sweep(conn)
            raw = self.sessions.start(conn, user)
            user_event(conn, EventKind.LOGGED_IN, actor=user, subject=user)
        return user, raw

    def _failed(self, user: User) -> None:
        """Count a wrong password; lock the account at the limit. Always raises."""
        now = self.clock()
        with self.db.write() as conn:
            # The row is locked first, so concurrent failures are counted one after another.
            row = conn.execute(
                select(users.c.locked_at).where(users.c.id == user.id).with_for_update()
            ).one()
            if (until := self._live_lock(row.locked_at)) is not None:
                raise AccountLocked(locked_message(until))
            lapsed = row.locked_at is not None
            count = conn.execute(
                update(users)
                .where(users.c.id == user.id)
                .values(
                    failed_logins=1 if lapsed else users.c.failed_logins + 1,
                    locked_at=None,
                )
                .returning(users.c.failed_logins)
            ).scalar_one()
            if count >= self.lockout.failures:
                self._lock(conn, user, now, count)
        if count >= self.lockout.failures:
            raise AccountLocked(locked_message(self.lockout.until(now) or now))
        raise Unauthorized(WRONG)

    def _lock(self, conn: Connection, user: User, now: datetime, count: int) -> None:
        conn.execute(update(users).where(users.c.id == user.id).values(locked_at=now))
        user_event(
            conn, EventKind.LOCKED_OUT, actor=AUTOMATED, subject=user, data={"failures": count}
        )

    def log_out(self, raw: str) -> User | None:
        """End the session ``raw`` names; its user (None when there was no live one)."""
        session = self.sessions.find(raw)
        with self.db.write() as conn:
            ended = self.sessions.end(raw, conn)
            if session is not None and ended:
                user_event(conn, EventKind.LOGGED_OUT, actor=session.user, subject=session.user)
        return session.user if session is not None else None


def build_logins(db: Database, settings: Settings, *, passwords: Passwords | None = None) -> Logins:
    """The log-in service under the console settings (``CONSENTGATE_CONSOLE_*``)."""
    policy = SessionPolicy(
        lifetime=timedelta(hours=settings.console_session_hours),
        idle=timedelta(minutes=settings.console_idle_minutes),
    )
    lockout = Lockout(settings.console_lockout_failures, settings.console_lockout_minutes)
    return Logins(db, SessionStore(db, policy), passwords=passwords, lockout=lockout)
