"""Console sessions, kept server-side: the browser holds a random id, the store its hash.

Why server-side: a session must end when its user logs out, is disabled or is
given a new password, on every worker at once; a signed cookie would live on
until it expired. Why only a hash: the id is 32 random bytes, so SHA-256 is
enough (as for API keys) and a copy of the store lets nobody take a session over.

A session ends at the first of: ``lifetime`` after log-in, ``idle`` after its
last request, log-out, its user disabled or given a new password. ``last_seen``
is written at most every ``touch_s`` seconds, not on every request.

The CSRF token of a session is derived from its id (a hash under another
label), so it needs no column, changes whenever the id does (log-in rotates
it), and cannot be computed from the store.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from consentgate.people import User
from consentgate.records import Record, utc_now
from consentgate.service.users import aware, to_user
from consentgate.store.database import Database
from consentgate.store.users_tables import console_sessions, users

Clock = Callable[[], datetime]


def session_hash(raw: str) -> str:
    """What the store keeps of a session id."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_of(raw: str) -> str:
    """The CSRF token of the session whose id is ``raw``."""
    return hashlib.sha256(
        b"consentgate csrf\x00" + raw.encode("utf-8", "surrogatepass")
    ).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last (``CONSENTGATE_CONSOLE_SESSION_HOURS`` and ``_IDLE_MINUTES``)."""

    lifetime: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=30)

    @property
    def touch_every(self) -> timedelta:
        return min(timedelta(seconds=60), self.idle / 10)


class Session(Record):
    """A live console session (without its id, which only the browser holds)."""

    user: User
    created: datetime
    last_seen: datetime
    expires: datetime


class SessionStore:
    """Starts, finds and ends console sessions."""

    def __init__(
        self, db: Database, policy: SessionPolicy | None = None, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.policy = policy or SessionPolicy()
        self.clock = clock

    def start(self, conn: Connection, user: User) -> str:
        """A new session for ``user`` in ``conn``'s transaction; returns its id (shown once)."""
        now = self.clock()
        raw = secrets.token_urlsafe(32)
        conn.execute(
            insert(console_sessions).values(
                id_hash=session_hash(raw),
                user_id=user.id,
                created=now,
                last_seen=now,
                expires=now + self.policy.lifetime,
            )
        )
        return raw

    def sweep(self, conn: Connection) -> None:
        """Delete the rows of sessions past their absolute expiry."""
        conn.execute(delete(console_sessions).where(console_sessions.c.expires <= self.clock()))

    def find(self, raw: str) -> Session | None:
        """The live session ``raw`` names, or None (unknown, expired, idle, user disabled)."""
        if not raw or len(raw) > 200:
            return None
        key = session_hash(raw)
        s = console_sessions.c
        query = (
            select(
                users,
                s.created.label("session_created"),
                s.last_seen.label("session_last_seen"),
                s.expires.label("session_expires"),
            )
            .join(console_sessions, users.c.id == s.user_id)
            .where(s.id_hash == key)
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        now = self.clock()
        created, last_seen = aware(m["session_created"]), aware(m["session_last_seen"])
        expires = aware(m["session_expires"])
        assert created is not None and last_seen is not None and expires is not None
        user = to_user(m)
        if not user.active or now >= expires or now >= last_seen + self.policy.idle:
            self.end(raw)
            return None
        if now - last_seen >= self.policy.touch_every:
            with self.db.write() as conn:
                conn.execute(
                    update(console_sessions)
                    .where(console_sessions.c.id_hash == key)
                    .values(last_seen=now)
                )
            last_seen = now
        return Session(user=user, created=created, last_seen=last_seen, expires=expires)

    def end(self, raw: str, conn: Connection | None = None) -> bool:
        """End the session ``raw`` names; whether there was one."""
        if conn is None:
            with self.db.write() as own:
                return self.end(raw, own)
        done = conn.execute(
            delete(console_sessions).where(console_sessions.c.id_hash == session_hash(raw))
        )
        return bool(done.rowcount)

    def count(self, user_id: str) -> int:
        """Sessions a user holds (live or not yet swept): for the users page and tests."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(console_sessions.c.id_hash).where(console_sessions.c.user_id == user_id)
            ).all()
        return len(rows)
