"""Flood logs in the PostgreSQL store: rows of ``flood_observations``, one entry at a time.

Why a transaction-scoped advisory lock per entry: ``observe`` reads an entry's
window, lets the caller choose, and writes; two workers doing that at once
could both start a new cluster for the same image. The lock makes the second
wait for the first (a few milliseconds), and is released at commit. Rows past
``expires`` are deleted now and then, so entries that stop matching leave
nothing behind.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from consentgate.counters import CountersUnavailable
from consentgate.counters.flood import Choose, Seen

LOCK_CLASS = 0x666C6F6F  # 'floo': the first key of this module's advisory locks
LOCK = text("SELECT pg_advisory_xact_lock(:cls, CAST(:entry % 2147483647 AS integer))")
TRIM = text("""
DELETE FROM flood_observations
WHERE entry_id = :entry AND kind = :kind AND (seen <= :cutoff OR member IN (
  SELECT member FROM flood_observations WHERE entry_id = :entry AND kind = :kind
  ORDER BY seen DESC, member OFFSET :keep))
""")
PUT = text("""
INSERT INTO flood_observations (entry_id, kind, member, seen, expires)
VALUES (:entry, :kind, :member, :now, :expires)
ON CONFLICT (entry_id, kind, member) DO UPDATE SET seen = :now, expires = :expires
""")
WINDOW = text("""
SELECT member, seen FROM flood_observations WHERE entry_id = :entry AND kind = :kind
ORDER BY seen, member
""")
MARK = text("""
INSERT INTO flood_observations AS f (entry_id, kind, member, seen, expires)
VALUES (:entry, 'marks', :member, :now, :expires)
ON CONFLICT (entry_id, kind, member) DO UPDATE SET seen = :now, expires = :expires
WHERE f.expires <= :now
RETURNING 1
""")
COUNT = text("SELECT count(*) FROM flood_observations WHERE entry_id = :entry AND kind = :kind")
HELD = text("SELECT count(*) FROM flood_observations WHERE entry_id = :entry AND kind <> 'marks'")
FORGET = text("DELETE FROM flood_observations WHERE entry_id = :entry")
PRUNE = text("DELETE FROM flood_observations WHERE expires < :now")
PRUNE_EVERY = 1000


class PostgresFloodLog:
    """``FloodLog`` in the ``flood_observations`` table of the store at ``engine``."""

    name = "postgresql"
    TRIM = TRIM  # SQLite's spelling differs (``flood_sqlite``)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._calls = itertools.count(1)

    def count(self, entry_id: int, now: float, window_s: float, keep: int) -> int:
        at = {"entry": entry_id, "kind": "matches", "now": now, "expires": now + window_s}
        with self._locked(entry_id, now) as conn:
            conn.execute(self.TRIM, {**at, "cutoff": now - window_s, "keep": keep - 1})
            conn.execute(PUT, {**at, "member": uuid.uuid4().hex})
            return int(conn.execute(COUNT, at).scalar_one())

    def observe(
        self, entry_id: int, now: float, window_s: float, keep: int, choose: Choose
    ) -> Sequence[Seen]:
        at = {"entry": entry_id, "kind": "pairs", "now": now, "expires": now + window_s}
        with self._locked(entry_id, now) as conn:
            conn.execute(self.TRIM, {**at, "cutoff": now - window_s, "keep": keep})
            member = choose([Seen(r.member, r.seen) for r in conn.execute(WINDOW, at)])
            conn.execute(PUT, {**at, "member": member})
            conn.execute(self.TRIM, {**at, "cutoff": now - window_s, "keep": keep})
            return [Seen(r.member, r.seen) for r in conn.execute(WINDOW, at)]

    def claim(self, entry_id: int, mark: str, now: float, ttl_s: float | None) -> bool:
        expires = float("inf") if ttl_s is None else now + ttl_s
        params = {"entry": entry_id, "member": mark, "now": now, "expires": expires}
        with self._locked(entry_id, now) as conn:
            return conn.execute(MARK, params).first() is not None

    def forget(self, entry_id: int) -> None:
        with self._locked(entry_id, 0.0) as conn:
            conn.execute(FORGET, {"entry": entry_id})

    def held(self, entry_id: int) -> int:
        with self._locked(entry_id, 0.0) as conn:
            return int(conn.execute(HELD, {"entry": entry_id}).scalar_one())

    def close(self) -> None:
        """The engine belongs to the store; nothing of its own to close."""

    @contextmanager
    def _locked(self, entry_id: int, now: float) -> Iterator[Connection]:
        """A transaction holding the entry's advisory lock; store faults are CountersUnavailable."""
        try:
            with self.engine.begin() as conn:
                conn.execute(LOCK, {"cls": LOCK_CLASS, "entry": entry_id})
                if now and next(self._calls) % PRUNE_EVERY == 0:
                    conn.execute(PRUNE, {"now": now})
                yield conn
        except SQLAlchemyError as exc:
            raise _unavailable(exc) from None


def _unavailable(exc: Exception) -> CountersUnavailable:
    return CountersUnavailable(f"the store is not reachable ({type(exc).__name__})")
