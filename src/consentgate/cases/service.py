"""The case service: open, list, decide, appeal, and every change as a chained event.

Every change is one transaction: the event is appended to the audit chain, the
case's cached projection is rewritten only if it is still at the version the
change was based on (optimistic concurrency: of two reviewers deciding one case
at once, one wins and the other gets 409), and the hooks run (actions,
stay-down) in that same transaction, so a crash leaves all of it or none.

An actor is a ``User`` (a person: the event names them and carries their id
as ``data.user_id``, and their role must allow the change) or a string for
what no person did (``automated``, ``notifier``, ``key:<id>``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from consentgate.audit import chain
from consentgate.cases.clock import Clock as ClockFn
from consentgate.cases.clock import system_clock
from consentgate.cases.deadlines import OPEN_STATES, Clock, clock_of, deadline_for
from consentgate.cases.paging import Cursor, cursor_of
from consentgate.cases.projection import fold
from consentgate.cases.records import (
    AUTOMATED,
    URGENT,
    USUAL,
    Action,
    AppealOutcome,
    Appellant,
    Case,
    CaseEvent,
    CaseKind,
    CaseState,
    EventKind,
    Item,
    Queue,
    rank_of,
)
from consentgate.errors import BadInput, Conflict, Forbidden, NotFound
from consentgate.people import Act, Actor, User, actor_name, name_key, require
from consentgate.settings import Settings
from consentgate.store.cases_tables import cases
from consentgate.store.database import Database

CaseHook = Callable[[Connection, Case, CaseEvent], None]
"""Runs inside the transaction of every case event (e.g. to queue a removal webhook)."""

LISTED_STATES = (CaseState.OPEN, CaseState.IN_REVIEW, CaseState.APPEALED)
OVERDUE_BATCH = 500
"""Open cases read at a time while looking for overdue ones."""
DECIDED_STATES = frozenset({CaseState.ACTIONED, CaseState.NO_ACTION})


class CaseService:
    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        *,
        clock: ClockFn = system_clock,
        hooks: Sequence[CaseHook] = (),
    ) -> None:
        self.db = db
        self.settings = settings or Settings()
        self.clock = clock
        self.hooks = list(hooks)

    # -- opening ---------------------------------------------------------------
    def open(
        self,
        kind: CaseKind,
        item: Item,
        *,
        notice_id: str | None = None,
        actor: Actor = AUTOMATED,
        reason: str = "",
        data: dict[str, Any] | None = None,
        rank: int | None = None,
        conn: Connection | None = None,
    ) -> Case:
        """Open a case with its ``received`` event (in ``conn``'s transaction, or its own).

        ``rank`` orders it within its queue (default: ``rank_of(kind)``).
        """
        if conn is None:
            with self.db.write() as own:
                return self.open(
                    kind, item, notice_id=notice_id, actor=actor, reason=reason, data=data,
                    rank=rank, conn=own,
                )  # fmt: skip
        now = self.clock()
        queue = kind.queue
        case = Case(
            id=uuid.uuid4().hex,
            kind=kind,
            queue=queue,
            state=CaseState.OPEN,
            item=item,
            notice_id=notice_id,
            received_at=now,
            deadline_at=deadline_for(queue, now, self.settings),
            version=0,
            rank=rank_of(kind) if rank is None else rank,
        )
        event = chain.append(
            conn,
            at=now,
            actor=actor_name(actor),
            kind=EventKind.RECEIVED,
            case_id=case.id,
            reason=reason,
            data=_stamped(
                actor,
                {"kind": kind.value, "item": item.model_dump(mode="json", exclude_none=True)}
                | ({} if case.rank == USUAL else {"rank": case.rank})  # the chain keeps the order
                | (data or {}),
            ),
        )
        case = fold(case, event)
        conn.execute(insert(cases).values(**_row(case)))
        self._run_hooks(conn, case, event)
        return case

    # -- reading ---------------------------------------------------------------
    def get(self, case_id: str) -> Case:
        with self.db.read() as conn:
            return _get(conn, case_id)

    def get_in(self, conn: Connection, case_id: str) -> Case:
        """The case as ``conn``'s transaction sees it."""
        return _get(conn, case_id)

    def history(self, case_id: str) -> list[CaseEvent]:
        with self.db.read() as conn:
            _get(conn, case_id)
            return list(chain.events(conn, case_id=case_id))

    def list_cases(
        self,
        *,
        queue: Queue | None = None,
        states: Sequence[CaseState] = LISTED_STATES,
        limit: int = 100,
        after: Cursor | None = None,
    ) -> list[Case]:
        """Cases by priority (child safety, intimate images, the rest; each by rank), then
        deadline, from just after ``after``.

        Expedited complaints (``is_expedited``) come before every queue.
        """
        return [case for case, _ in self._listed(queue, states, limit, after)]

    def page(
        self,
        *,
        queue: Queue | None = None,
        states: Sequence[CaseState] = LISTED_STATES,
        limit: int = 100,
        after: Cursor | None = None,
        queues: Sequence[Queue] = (),
        kinds: Sequence[CaseKind] = (),
    ) -> tuple[list[Case], Cursor | None]:
        """One page of ``list_cases`` and the cursor of the next (None on the last page).

        ``queues`` and ``kinds``, when given, keep only cases in one of them (the
        console shows a reviewer only the queues their role works).
        """
        found = self._listed(queue, states, limit + 1, after, queues=queues, kinds=kinds)
        more = len(found) > limit
        return [c for c, _ in found[:limit]], cursor_of(*found[limit - 1]) if more else None

    def _listed(
        self,
        queue: Queue | None,
        states: Sequence[CaseState],
        limit: int,
        after: Cursor | None,
        *,
        queues: Sequence[Queue] = (),
        kinds: Sequence[CaseKind] = (),
    ) -> list[tuple[Case, int]]:
        query = select(cases.c.record, cases.c.priority).where(
            cases.c.state.in_([s.value for s in states])
        )
        if queue is not None:
            query = query.where(cases.c.queue == queue.value)
        if queues:
            query = query.where(cases.c.queue.in_([q.value for q in queues]))
        if kinds:
            query = query.where(cases.c.kind.in_([k.value for k in kinds]))
        if after is not None:
            query = query.where(after.where())
        query = query.order_by(cases.c.priority, cases.c.deadline_at, cases.c.id).limit(limit)
        with self.db.read() as conn:
            return [(Case.model_validate(r.record), r.priority) for r in conn.execute(query)]

    def overdue(self, now: datetime | None = None) -> list[tuple[Case, Clock]]:
        """Every undecided case at risk or past its deadline at ``now``, most urgent first."""
        return self.overdue_page(now, limit=1_000_000)[0]

    def overdue_page(
        self, now: datetime | None = None, *, limit: int = 100, after: Cursor | None = None
    ) -> tuple[list[tuple[Case, Clock]], Cursor | None]:
        """Undecided cases at risk or past their deadline at ``now``, most urgent first: one
        page of at most ``limit`` from just after ``after``, and the next page's cursor."""
        now = now or self.clock()
        found: list[tuple[Case, Clock, Cursor]] = []
        while len(found) <= limit:
            batch = self._listed(None, tuple(OPEN_STATES), OVERDUE_BATCH, after)
            for case, priority in batch:
                status = clock_of(case, now)
                if status in (Clock.AT_RISK, Clock.BREACHED):
                    found.append((case, status, cursor_of(case, priority)))
            if len(batch) < OVERDUE_BATCH:
                break
            after = cursor_of(*batch[-1])
        more = len(found) > limit
        return [(c, s) for c, s, _ in found[:limit]], found[limit - 1][2] if more else None

    # -- changing --------------------------------------------------------------
    def assign(self, case_id: str, *, to: str, actor: Actor) -> Case:
        require(actor, Act.DECIDE)
        return self._change(case_id, EventKind.ASSIGNED, actor=actor, data={"to": to})

    def decide(
        self,
        case_id: str,
        action: Action,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> Case:
        """Decide an open case. Deciding one already decided is 409, as is a stale version."""
        require(actor, Act.DECIDE)

        def check(case: Case) -> None:
            if case.state not in OPEN_STATES:
                raise Conflict(f"case {case.id} was already decided ({case.state.value})")

        return self._change(
            case_id,
            EventKind.DECIDED,
            actor=actor,
            reason=reason,
            data={"action": action.value} | (data or {}),
            expected_version=expected_version,
            check=check,
        )

    def appeal(
        self,
        case_id: str,
        *,
        by: Appellant,
        text: str,
        actor: Actor,
        conn: Connection | None = None,
    ) -> Case:
        """Contest a decision (acting or not acting) within the appeal window (in ``conn``'s
        transaction, or its own)."""
        require(actor, Act.DECIDE)
        now = self.clock()

        def check(case: Case) -> None:
            if case.state not in DECIDED_STATES:
                raise Conflict(f"case {case.id} has no decision to appeal ({case.state.value})")
            assert case.decided_at is not None
            closes = case.decided_at + timedelta(days=self.settings.appeal_window_days)
            if now > closes:
                raise BadInput(f"the appeal window closed at {closes.isoformat()}", field="appeal")
            if by is Appellant.REPORTER and case.notice_id is None:
                raise BadInput(
                    "this case was not opened by a notice: it has no reporter", field="by"
                )

        return self._change(
            case_id,
            EventKind.APPEALED,
            actor=actor,
            reason=text,
            data={"by": by.value},
            check=check,
            conn=conn,
        )

    def decide_appeal(
        self, case_id: str, outcome: AppealOutcome, *, reason: str, actor: Actor
    ) -> Case:
        """Decide an appeal: only someone other than the first decider may (403 otherwise).

        The first decider and ``actor`` are one person when their user ids are
        equal, or when their names are equal after ``name_key`` (so neither
        ``Alice`` for ``alice`` nor a padded ``key:<id> `` gets past it).
        """
        require(actor, Act.DECIDE_APPEAL)
        name = actor_name(actor)

        def check(case: Case) -> None:
            if case.state is not CaseState.APPEALED:
                raise Conflict(f"case {case.id} has no open appeal ({case.state.value})")
            if name_key(name) == AUTOMATED:
                raise Forbidden("an appeal is decided by a person")
            if same_person(actor, case):
                raise Forbidden(
                    f"{name!r} made the decision under appeal; another reviewer must decide it"
                )

        return self._change(
            case_id,
            EventKind.APPEAL_DECIDED,
            actor=actor,
            reason=reason,
            data={"outcome": outcome.value},
            check=check,
        )

    def record(
        self,
        case_id: str,
        kind: EventKind,
        *,
        actor: Actor,
        reason: str = "",
        data: dict[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> Case:
        """Any other event about a case (action_sent, evidence_viewed, escalated, ...)."""
        if kind in _GUARDED:
            raise ValueError(f"use the service method for {kind.value} events")
        return self._change(case_id, kind, actor=actor, reason=reason, data=data, conn=conn)

    def _change(
        self,
        case_id: str,
        kind: EventKind,
        *,
        actor: Actor,
        reason: str = "",
        data: dict[str, Any] | None = None,
        expected_version: int | None = None,
        check: Callable[[Case], None] | None = None,
        conn: Connection | None = None,
    ) -> Case:
        if not actor_name(actor).strip():
            raise BadInput("every change names who made it", field="actor")
        if conn is None:
            with self.db.write() as own:
                return self._change(
                    case_id, kind, actor=actor, reason=reason, data=data,
                    expected_version=expected_version, check=check, conn=own,
                )  # fmt: skip
        case = _get(conn, case_id)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(
                f"case {case_id} changed since version {expected_version} "
                f"(now {case.version}): reload it and decide again"
            )
        if check is not None:
            check(case)
        event = chain.append(
            conn,
            at=self.clock(),
            actor=actor_name(actor),
            kind=kind,
            case_id=case_id,
            reason=reason,
            data=_stamped(actor, data or {}),
        )
        new = fold(case, event)
        done = conn.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.version == case.version)
            .values(
                state=new.state.value,
                version=new.version,
                priority=priority_of(new),
                record=_record(new),
            )
        )
        if done.rowcount != 1:  # another writer changed it after we read it
            raise Conflict(f"case {case_id} was changed by someone else: reload it")
        self._run_hooks(conn, new, event)
        return new

    def _run_hooks(self, conn: Connection, case: Case, event: CaseEvent) -> None:
        for hook in self.hooks:
            hook(conn, case, event)


def _stamped(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the acting user's id, which names them for good (names only show)."""
    return data | {"user_id": actor.id} if isinstance(actor, User) else data


def same_person(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` made ``case``'s decision: same user id, or same name by ``name_key``."""
    if isinstance(actor, User) and actor.id == case.decided_by_user:
        return True
    return case.decided_by is not None and name_key(actor_name(actor)) == name_key(case.decided_by)


_GUARDED = frozenset(
    {EventKind.RECEIVED, EventKind.DECIDED, EventKind.APPEALED, EventKind.APPEAL_DECIDED}
)


RANKS = 3
EXPEDITED_PRIORITY = -1
"""Served before every queue: see ``is_expedited``."""


def is_expedited(case: Case) -> bool:
    """A reporter's complaint about an intimate-image case is expedited (UK OSA s.21(2A)).

    The law sets no hour figure; it goes to the top of the list, before every
    queue, until the appeal is decided.
    """
    return (
        case.state is CaseState.APPEALED
        and case.appeal_by is Appellant.REPORTER
        and case.queue is Queue.INTIMATE_IMAGES
    )


def priority_of(case: Case) -> int:
    """The cached sort key of ``list_cases``: expedited complaints, then each queue by its
    priority and, within it, by rank (an escalated case, such as a threat to life, is urgent).

    Why a rank: anyone may file an anonymous child-safety notice, so a flood of them must
    not push a threat to life or an automated hash match down the queue.
    """
    if is_expedited(case):
        return EXPEDITED_PRIORITY
    return case.queue.priority * RANKS + (URGENT if case.escalated else case.rank)


def _get(conn: Connection, case_id: str) -> Case:
    row = conn.execute(select(cases.c.record).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    return Case.model_validate(row.record)


def _record(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json")


def _row(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "kind": case.kind.value,
        "queue": case.queue.value,
        "priority": priority_of(case),
        "state": case.state.value,
        "notice_id": case.notice_id,
        "received_at": case.received_at,
        "deadline_at": case.deadline_at,
        "version": case.version,
        "record": _record(case),
    }
