"""Replay every case event through the projection and compare with the ``cases`` rows.

Why: the ``cases`` table is a cache of each case's projection, and queues,
reports and the console read it. A row edited in SQL (a decision flipped, a
reviewer's name changed) leaves the hash chain intact, so only replaying the
events shows it. Fields the events do not carry (the notice a case came from,
its deadline, which depends on the settings of the day) are taken from the row
as they are; every other field is recomputed and compared, and so are the
``state``, ``version`` and ``priority`` columns kept beside the record.

The replay holds one projected case per case in memory while it streams the
events once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from consentgate.audit import chain
from consentgate.cases.projection import fold
from consentgate.cases.records import Case, CaseKind, CaseState, EventKind, Item
from consentgate.cases.service import priority_of
from consentgate.errors import ConsentGateError
from consentgate.store.cases_tables import cases

FROM_ROW = ("notice_id", "deadline_at")
"""Fields no event carries: taken from the stored row."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One field where the stored row and the replayed events disagree."""

    case_id: str
    field: str
    stored: Any
    replayed: Any

    def __str__(self) -> str:
        return (
            f"case {self.case_id}: {self.field} is {self.stored!r} in the cases table "
            f"but {self.replayed!r} from its events"
        )


class ProjectionDiffers(ConsentGateError):
    """The ``cases`` table does not match the replayed events."""

    exit_code = 1
    title = "Cases do not match their events"


@dataclass(frozen=True, slots=True)
class Replayed:
    cases: int
    mismatches: tuple[Mismatch, ...]


def replay(conn: Connection) -> Replayed:
    """Fold every event into its case and list every difference from the stored rows."""
    stored = {row.id: row for row in conn.execute(select(cases)).all()}
    projected: dict[str, Case] = {}
    unopened: set[str] = set()  # events of a case whose `received` event or row is missing
    found: list[Mismatch] = []
    for event in chain.events(conn):
        if event.case_id is None or event.case_id in unopened:
            continue
        case = projected.get(event.case_id)
        if case is None:
            row = stored.get(event.case_id)
            if event.kind is not EventKind.RECEIVED or row is None:
                what = "no row" if row is None else "no received event"
                found.append(Mismatch(event.case_id, "opening", what, f"event {event.seq}"))
                unopened.add(event.case_id)
                continue
            case = _opened(event, row.record)
        projected[event.case_id] = fold(case, event)
    for case_id, row in stored.items():
        case = projected.get(case_id)
        if case is not None:
            found.extend(_compare(case, row))
        elif case_id not in unopened:
            found.append(Mismatch(case_id, "events", "a case", "no events"))
    return Replayed(cases=len(stored), mismatches=tuple(found))


def _opened(event: Any, record: dict[str, Any]) -> Case:
    """The case before its ``received`` event, as ``CaseService.open`` builds it."""
    kind = CaseKind(event.data["kind"])
    return Case(
        id=event.case_id,
        kind=kind,
        queue=kind.queue,
        state=CaseState.OPEN,
        item=Item.model_validate(event.data["item"]),
        received_at=event.at,
        version=0,
        **{name: getattr(Case.model_validate(record), name) for name in FROM_ROW},
    )


def _compare(case: Case, row: Any) -> Iterator[Mismatch]:
    stored = Case.model_validate(row.record)
    for name in Case.model_fields:
        kept, derived = getattr(stored, name), getattr(case, name)
        if kept != derived:
            yield Mismatch(case.id, name, _plain(kept), _plain(derived))
    columns = {"state": case.state.value, "version": case.version, "priority": priority_of(case)}
    for name, value in columns.items():
        if getattr(row, name) != value:
            yield Mismatch(case.id, f"{name} column", getattr(row, name), value)


def _plain(value: Any) -> Any:
    """A field as a person reads it in a report (enums by value, records as dicts)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    return getattr(value, "value", value)
