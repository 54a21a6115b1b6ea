"""Reading and writing the ``statements`` table.

Exports read raw JSON bodies, not records: a body is checked as it will be sent,
so a row changed in the store after it was written is caught by the validator,
not hidden by a parse. Ranges are read in pages by (``application_date``, ``seq``),
each page in its own short read, so a long export holds no connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from consentgate.cases.statements.records import Statement
from consentgate.errors import BadInput, NotFound
from consentgate.store.database import Database
from consentgate.store.statements_tables import statements

PAGE = 1000


@dataclass(frozen=True)
class Cursor:
    """Where a page of a range ended: the last row's application date and ``seq``."""

    day: date
    seq: int

    def __str__(self) -> str:
        return f"{self.day.isoformat()}.{self.seq}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        day, _, seq = text.partition(".")
        try:
            return cls(date.fromisoformat(day), int(seq))
        except ValueError:
            raise BadInput("not a cursor this service gave out", field="after") from None


@dataclass(frozen=True)
class Row:
    """One stored statement: its id, the database body and where it ends a page."""

    id: str
    body: dict[str, Any]
    cursor: Cursor


def insert(conn: Connection, statement: Statement) -> None:
    conn.execute(
        statements.insert().values(
            id=statement.id,
            created_at=statement.created_at,
            application_date=statement.statement.application_date,
            source=statement.source.value,
            harm=statement.harm.value,
            case_id=statement.case_id,
            decision_id=statement.decision_id,
            statement=statement.statement.body(),
            redress=statement.redress.model_dump(mode="json"),
        )
    )


def of_decision(conn: Connection, decision_id: str) -> str | None:
    """The id of the statement a screen's decision has, if it has one."""
    row = conn.execute(
        select(statements.c.id).where(statements.c.decision_id == decision_id)
    ).first()
    return None if row is None else str(row.id)


def get(db: Database, statement_id: str) -> Statement:
    with db.read() as conn:
        row = conn.execute(select(statements).where(statements.c.id == statement_id)).first()
    if row is None:
        raise NotFound(f"no statement of reasons {statement_id!r}")
    m = row._mapping
    return Statement.model_validate(
        {
            "id": m["id"],
            "created_at": _utc(m["created_at"]),
            "source": m["source"],
            "harm": m["harm"],
            "case_id": m["case_id"],
            "decision_id": m["decision_id"],
            "statement": m["statement"],
            "redress": m["redress"],
        }
    )


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise BadInput("the end of the range comes before its start", field="to")


def page(
    db: Database,
    start: date | None,
    end: date | None,
    *,
    after: Cursor | None = None,
    limit: int = PAGE,
) -> list[Row]:
    """Up to ``limit`` statements applied from ``start`` to ``end`` (both inclusive, either
    open), in order, from just after ``after``."""
    day, seq = statements.c.application_date, statements.c.seq
    query = select(statements.c.id, statements.c.statement, day, seq)
    if start is not None:
        query = query.where(day >= start)
    if end is not None:
        query = query.where(day <= end)
    if after is not None:
        query = query.where(or_(day > after.day, and_(day == after.day, seq > after.seq)))
    query = query.order_by(day, seq).limit(limit)
    with db.read() as conn:
        return [
            Row(r.id, r.statement, Cursor(_day(r.application_date), int(r.seq)))
            for r in conn.execute(query)
        ]


def count(db: Database, start: date | None, end: date | None) -> int:
    """How many statements were applied from ``start`` to ``end`` (both inclusive)."""
    check_range(start, end)
    day = statements.c.application_date
    query = select(func.count()).select_from(statements)
    if start is not None:
        query = query.where(day >= start)
    if end is not None:
        query = query.where(day <= end)
    with db.read() as conn:
        return int(conn.execute(query).scalar_one())


def rows(db: Database, start: date | None, end: date | None) -> Iterator[Row]:
    """Every statement of the range, page by page (no cap on how many)."""
    check_range(start, end)
    after: Cursor | None = None
    while True:
        found = page(db, start, end, after=after)
        yield from found
        if len(found) < PAGE:
            return
        after = found[-1].cursor


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite keeps naive UTC


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
