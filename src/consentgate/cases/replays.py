"""Keyed requests run once: a retry with the same ``Idempotency-Key`` gets the first answer.

Why: a notifier whose connection drops after the commit never sees the
tracking code, and retries; without a key that files a second notice and opens
a second case per item. With a key, the request's effect and its replay row are
written in one transaction, so a crash keeps both or neither, and the row's
primary key settles two identical requests sent at once: the second insert
waits for the first transaction, fails, and reads the winner's answer.

A key is scoped by route and by what it acts on (a notice's tracking code, a
case and the API key), never by client address: a retry may come from
another address. The same key with a different request is a ``Conflict``
(409): answering it with the first request's receipt would hide that the
second was never filed. Only successes are kept; a refused request may be
retried with the same key. Rows are forgotten after ``REPLAY_LIFETIME``; the
same key is then a new request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from consentgate.cases.clock import Clock, system_clock
from consentgate.errors import BadInput, Conflict
from consentgate.records import Record
from consentgate.store.database import Database
from consentgate.store.replay_tables import request_replays as table

IDEMPOTENCY_KEY = "Idempotency-Key"
KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
"""1 to 255 printable ASCII characters; spaces only inside (HTTP strips them at the ends)."""
REPLAY_LIFETIME = timedelta(hours=24)
SWEEP = 100
"""Expired rows deleted by each keyed write, so the table stays as small as a day's keys."""


class ReplayScope(StrEnum):
    """The routes whose requests may carry a key."""

    NOTICES = "notices"
    NOTICE_APPEAL = "notice_appeal"
    CASE_APPEAL = "case_appeal"


class KeyedRequest(Record):
    """A request under a key: where the key counts, its hash, and the request's hash."""

    scope: ReplayScope
    key_hash: str
    body_hash: str

    @classmethod
    def of(
        cls, scope: ReplayScope, key: str, request: BaseModel, *, within: str = ""
    ) -> KeyedRequest:
        """``key`` for ``request`` on ``scope``, counted ``within`` one notice or case.

        The request counts as validated (canonical JSON of the record), so key
        order, spacing and defaults spelt out do not make a retry a new request.
        """
        check_key(key)
        owner = hashlib.sha256(f"{scope.value}\n{within}\n{key}".encode()).hexdigest()
        body = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return cls(scope=scope, key_hash=owner, body_hash=hashlib.sha256(body.encode()).hexdigest())


class Outcome(Record):
    """What a keyed request answers about, and whether it was read back rather than done now."""

    result_id: str
    status: int
    replayed: bool = False


class _Taken(Exception):
    """Another transaction stored this key first (raised inside the write, which rolls back)."""


def check_key(key: str) -> str:
    """``key`` if it is a valid ``Idempotency-Key``, else BadInput naming the header."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise BadInput(
            f"{IDEMPOTENCY_KEY}: give 1 to 255 printable ASCII characters", field=IDEMPOTENCY_KEY
        )
    return key


class ReplayStore:
    """Runs keyed work once, and reads back what it answered."""

    def __init__(
        self, db: Database, clock: Clock = system_clock, lifetime: timedelta = REPLAY_LIFETIME
    ) -> None:
        self.db = db
        self.clock = clock
        self.lifetime = lifetime

    def replayed(self, request: KeyedRequest) -> Outcome | None:
        """The live answer stored for this key (None if none); Conflict if for another request."""
        with self.db.read() as conn:
            row = conn.execute(
                select(table.c.body_hash, table.c.result_id, table.c.status, table.c.expires).where(
                    table.c.scope == request.scope.value, table.c.key_hash == request.key_hash
                )
            ).first()
        if row is None or _aware(row.expires) <= self.clock():
            return None
        if row.body_hash != request.body_hash:
            raise Conflict(
                f"this {IDEMPOTENCY_KEY} was already used for a different request; "
                "use a new key for a new request",
                field=IDEMPOTENCY_KEY,
            )
        return Outcome(result_id=row.result_id, status=row.status, replayed=True)

    def once(
        self,
        request: KeyedRequest | None,
        outcome: Outcome,
        work: Callable[[Connection], Any],
    ) -> Outcome:
        """Run ``work`` and store ``outcome`` for ``request`` in one write transaction.

        The key is claimed first, so a concurrent twin waits at the claim (not
        after doing all the work) and then gets the winner's outcome. Without a
        key, ``work`` just runs.
        """
        try:
            with self.db.write() as conn:
                if request is not None:
                    self._claim(conn, request, outcome)
                work(conn)
        except _Taken:
            assert request is not None
            won = self.replayed(request)
            if won is None:  # the winner's row expired in between: the caller may retry
                raise Conflict(
                    f"a request with this {IDEMPOTENCY_KEY} is being retried; retry once more",
                    field=IDEMPOTENCY_KEY,
                ) from None
            return won
        return outcome

    def _claim(self, conn: Connection, request: KeyedRequest, outcome: Outcome) -> None:
        now = self.clock()
        mine = (table.c.scope == request.scope.value) & (table.c.key_hash == request.key_hash)
        conn.execute(delete(table).where(mine, table.c.expires <= now))
        expired = (
            select(table.c.key_hash)
            .where(table.c.expires <= now)
            .limit(SWEEP)
            .with_for_update(skip_locked=True)  # two sweeps never wait on each other
        )
        conn.execute(delete(table).where(table.c.key_hash.in_(expired)))
        try:
            conn.execute(insert(table).values(**_row(request, outcome, now, self.lifetime)))
        except IntegrityError:
            raise _Taken from None


def _row(
    request: KeyedRequest, outcome: Outcome, now: datetime, lifetime: timedelta
) -> dict[str, Any]:
    return {
        "scope": request.scope.value,
        "key_hash": request.key_hash,
        "body_hash": request.body_hash,
        "status": outcome.status,
        "result_id": outcome.result_id,
        "created": now,
        "expires": now + lifetime,
    }


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
