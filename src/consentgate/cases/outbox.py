"""The durable queue of actions: one small interface, the same SQL on both stores.

An action is a row inserted in the transaction that decides it; it is never
held in memory between attempts, so a crash loses nothing. ``claim`` takes due
rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never
take the same row; SQLite has one writer, which serialises claims) and leases
them: a worker that dies holding a lease simply lets it run out, and the row is
due again. Every later write names the claim token, so a worker that lost its
lease cannot overwrite the outcome recorded by the one that took over.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, Row, and_, func, insert, or_, select, update

from consentgate.errors import Conflict, NotFound
from consentgate.records import Record
from consentgate.store.actions_tables import case_actions
from consentgate.store.database import Database


class ActionKind(StrEnum):
    REMOVE = "remove"
    RESTORE = "restore"  # undoes a removal after a reversed appeal


class ActionStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"  # the platform acknowledged it (2xx)
    DEAD = "dead"  # every attempt failed: waits for an operator's replay
    CANCELLED = "cancelled"  # a removal never delivered, then reversed


class CaseAction(Record):
    id: int
    case_id: str
    kind: ActionKind
    idempotency_key: str
    payload: dict[str, Any] = Field(description="the body the platform receives")
    status: ActionStatus
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None = None
    after_id: int | None = None
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class Claimed(Record):
    """An action a worker holds, with the token that proves it still does."""

    action: CaseAction
    token: str


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _action(row: Row[Any]) -> CaseAction:
    fields = {c.name: getattr(row, c.name) for c in case_actions.c if c.name != "claim"}
    for name in ("next_attempt_at", "lease_until", "created_at", "sent_at"):
        fields[name] = _utc(fields[name])
    return CaseAction.model_validate(fields)


def enqueue(
    conn: Connection,
    *,
    case_id: str,
    kind: ActionKind,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    after_id: int | None = None,
) -> CaseAction:
    """Queue an action in ``conn``'s transaction (due at once)."""
    new_id = conn.execute(
        insert(case_actions)
        .values(
            case_id=case_id,
            kind=kind.value,
            idempotency_key=key,
            payload=payload,
            status=ActionStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            after_id=after_id,
            created_at=now,
        )
        .returning(case_actions.c.id)
    ).scalar_one()
    return get(conn, int(new_id))


def get(conn: Connection, action_id: int) -> CaseAction:
    row = conn.execute(select(case_actions).where(case_actions.c.id == action_id)).first()
    if row is None:
        raise NotFound(f"no action {action_id}")
    return _action(row)


def of_case(conn: Connection, case_id: str) -> list[CaseAction]:
    query = select(case_actions).where(case_actions.c.case_id == case_id)
    return [_action(r) for r in conn.execute(query.order_by(case_actions.c.id))]


def cancel(conn: Connection, action_id: int, reason: str) -> None:
    conn.execute(
        update(case_actions)
        .where(case_actions.c.id == action_id)
        .values(status=ActionStatus.CANCELLED.value, last_error=reason, claim=None)
    )


_SETTLED = (ActionStatus.SENT.value, ActionStatus.DEAD.value, ActionStatus.CANCELLED.value)


class ActionQueue:
    """Claim, settle, list and replay actions over one store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, now: datetime, *, lease_s: float, limit: int = 10) -> list[Claimed]:
        """Lease up to ``limit`` due actions, oldest first (a restore waits for its removal)."""
        before = case_actions.alias("before")
        waiting = (
            select(before.c.id)
            .where(before.c.id == case_actions.c.after_id, before.c.status.not_in(_SETTLED))
            .exists()
        )
        due = or_(
            and_(
                case_actions.c.status == ActionStatus.PENDING.value,
                case_actions.c.next_attempt_at <= now,
            ),
            and_(
                case_actions.c.status == ActionStatus.SENDING.value,
                case_actions.c.lease_until <= now,
            ),
        )
        query = (
            select(case_actions)
            .where(due, ~waiting)
            .order_by(case_actions.c.next_attempt_at, case_actions.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=case_actions)
        )
        token = uuid.uuid4().hex
        lease = now + timedelta(seconds=lease_s)
        with self.db.write() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return []
            ids = [r.id for r in rows]
            conn.execute(
                update(case_actions)
                .where(case_actions.c.id.in_(ids))
                .values(
                    status=ActionStatus.SENDING.value,
                    lease_until=lease,
                    claim=token,
                    attempts=case_actions.c.attempts + 1,
                )
            )
            claimed = conn.execute(
                select(case_actions).where(case_actions.c.id.in_(ids)).order_by(case_actions.c.id)
            )
            return [Claimed(action=_action(r), token=token) for r in claimed]

    def settle(
        self,
        conn: Connection,
        claimed: Claimed,
        status: ActionStatus,
        *,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Record an attempt's outcome; False when the lease was lost to another worker."""
        values: dict[str, Any] = {"status": status.value, "lease_until": None, "claim": None}
        if status is ActionStatus.SENT:
            values |= {"sent_at": now, "last_error": None}
        else:
            values["last_error"] = (error or "")[:2000]
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        done = conn.execute(
            update(case_actions)
            .where(
                case_actions.c.id == claimed.action.id,
                case_actions.c.claim == claimed.token,
                case_actions.c.status == ActionStatus.SENDING.value,
            )
            .values(**values)
        )
        return done.rowcount == 1

    def replay(self, action_id: int, now: datetime) -> CaseAction:
        """Put a dead action back in the queue, due now, with a fresh count of attempts."""
        with self.db.write() as conn:
            action = get(conn, action_id)
            if action.status is not ActionStatus.DEAD:
                raise Conflict(f"action {action_id} is {action.status.value}, not dead")
            later = [a for a in of_case(conn, action.case_id) if a.id > action.id]
            if action.kind is ActionKind.REMOVE and any(
                a.kind is ActionKind.RESTORE for a in later
            ):
                raise Conflict(f"the removal of action {action_id} was reversed since")
            conn.execute(
                update(case_actions)
                .where(case_actions.c.id == action_id)
                .values(status=ActionStatus.PENDING.value, attempts=0, next_attempt_at=now)
            )
            return get(conn, action_id)

    def list(self, *, status: ActionStatus | None = None, limit: int = 100) -> list[CaseAction]:
        query = select(case_actions).order_by(case_actions.c.id).limit(limit)
        if status is not None:
            query = query.where(case_actions.c.status == status.value)
        with self.db.read() as conn:
            return [_action(r) for r in conn.execute(query)]

    def count(self, status: ActionStatus) -> int:
        query = select(func.count()).where(case_actions.c.status == status.value)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def get(self, action_id: int) -> CaseAction:
        with self.db.read() as conn:
            return get(conn, action_id)
