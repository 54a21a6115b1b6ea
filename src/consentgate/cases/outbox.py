"""The durable queue of actions: one small interface, the same SQL on both stores.

An action is a row inserted in the transaction that decides it; it is never
held in memory between attempts, so a crash loses nothing. ``claim`` takes the
one due row a worker is about to send (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two workers never take the same row; SQLite has one writer,
which serialises claims) and leases it briefly; the worker's heartbeat renews
the lease while the delivery runs (``cases.lease``). A worker that dies holding
a lease lets it run out, and the row is due again. Every later write names the
claim token, so a worker that lost its lease cannot overwrite the outcome
recorded by the one that took over.

Per case, actions leave in decision order: a row is not due while an earlier
action of its case is unsettled (pending, sending). An attempt without a
definite answer (cut off, a 5xx, or a lease that ran out while ``sending``)
sets ``outcome_unknown``: the platform may have carried the action out, so a
reversal queues a restore behind it rather than cancelling it
(``cases.actions.restore``).
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
    outcome_unknown: bool = False

    @property
    def may_have_happened(self) -> bool:
        """True once the platform may have carried it out: only then is a restore owed."""
        return self.outcome_unknown or self.status in (ActionStatus.SENDING, ActionStatus.SENT)


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
            outcome_unknown=False,
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


def cancel(conn: Connection, action: CaseAction, reason: str) -> bool:
    """Cancel an action that never reached the platform; False when it moved on meanwhile.

    The condition is in the UPDATE itself: a worker that claimed the row after
    ``action`` was read (PostgreSQL re-checks the row once its lock is free)
    leaves it ``sending``, and the caller must treat it as possibly delivered.
    """
    done = conn.execute(
        update(case_actions)
        .where(
            case_actions.c.id == action.id,
            case_actions.c.status.in_((ActionStatus.PENDING.value, ActionStatus.DEAD.value)),
            case_actions.c.outcome_unknown.is_(False),
        )
        .values(status=ActionStatus.CANCELLED.value, last_error=reason, claim=None)
    )
    return done.rowcount == 1


_SETTLED = (ActionStatus.SENT.value, ActionStatus.DEAD.value, ActionStatus.CANCELLED.value)


class ActionQueue:
    """Claim, settle, list and replay actions over one store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, now: datetime, *, lease_s: float, limit: int = 1) -> list[Claimed]:
        """Lease the next due action (``limit`` of them at most), oldest first.

        A worker claims only what it is about to send: a row claimed and left
        idle would wait for its lease while others could send it. A row is not
        due while an earlier action of its case is unsettled, so a restore never
        overtakes its removal. Retaking a row whose lease ran out while it was
        ``sending`` marks its outcome unknown: its worker died in flight.
        """
        earlier = case_actions.alias("earlier")
        waiting = (
            select(earlier.c.id)
            .where(
                earlier.c.case_id == case_actions.c.case_id,
                earlier.c.id < case_actions.c.id,
                earlier.c.status.not_in(_SETTLED),
            )
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
            for row in rows:
                died = row.status == ActionStatus.SENDING.value
                conn.execute(
                    update(case_actions)
                    .where(case_actions.c.id == row.id)
                    .values(
                        status=ActionStatus.SENDING.value,
                        lease_until=lease,
                        claim=token,
                        attempts=case_actions.c.attempts + 1,
                        outcome_unknown=bool(row.outcome_unknown) or died,
                    )
                )
            return [Claimed(action=get(conn, r.id), token=token) for r in rows]

    def renew(self, claimed: Claimed, now: datetime, *, lease_s: float) -> bool:
        """The heartbeat: extend a lease still held; False when it was lost."""
        with self.db.write() as conn:
            done = conn.execute(
                update(case_actions)
                .where(
                    case_actions.c.id == claimed.action.id,
                    case_actions.c.claim == claimed.token,
                    case_actions.c.status == ActionStatus.SENDING.value,
                )
                .values(lease_until=now + timedelta(seconds=lease_s))
            )
            return done.rowcount == 1

    def release(self, claimed: Claimed, now: datetime) -> bool:
        """Give a claim back on shutdown: due again now, its outcome unknown (it was in flight)."""
        with self.db.write() as conn:
            done = conn.execute(
                update(case_actions)
                .where(
                    case_actions.c.id == claimed.action.id,
                    case_actions.c.claim == claimed.token,
                    case_actions.c.status == ActionStatus.SENDING.value,
                )
                .values(
                    status=ActionStatus.PENDING.value,
                    lease_until=None,
                    claim=None,
                    next_attempt_at=now,
                    outcome_unknown=True,
                )
            )
            return done.rowcount == 1

    def settle(
        self,
        conn: Connection,
        claimed: Claimed,
        status: ActionStatus,
        *,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        unknown: bool = False,
    ) -> bool:
        """Record an attempt's outcome; False when the lease was lost to another worker.

        ``unknown``: the attempt had no definite answer, so it may have been
        carried out; once set, the mark stays (a later refusal cannot undo it).
        """
        values: dict[str, Any] = {"status": status.value, "lease_until": None, "claim": None}
        if unknown:
            values["outcome_unknown"] = True
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
