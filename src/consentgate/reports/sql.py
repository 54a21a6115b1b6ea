"""SQL that reads the same on SQLite and PostgreSQL: instants as seconds, time buckets, percentiles.

Why in SQL: a report over a year of a busy service reads millions of decisions
and hundreds of thousands of cases; counting and ranking them where they are
stored keeps the report's memory flat (a few hundred rows come back, never the
cases themselves), and there is no row cap to hit.

Instants are compared as seconds since 1970 (``epoch``): timestamp columns and
the ISO 8601 strings of a case's JSON record convert the same way on both
stores. Percentiles are nearest-rank (the value at rank ``ceil(p * n)``),
computed with window functions that SQLite (3.25+) and PostgreSQL both have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    DateTime,
    Float,
    Select,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from consentgate.reports.period import Period
from consentgate.reports.records import Percentiles

SCAN_SHARE = 0.25
"""Above this share of a table's time range, SQLite scans the table rather than its index."""


class Dialect:
    """The few expressions whose SQL differs between SQLite and PostgreSQL."""

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite = is_sqlite

    def epoch(self, expr: ColumnElement[Any]) -> ColumnElement[float]:
        """Seconds since 1970 of a timestamp column or an ISO 8601 string (UTC; ms precision)."""
        if self.is_sqlite:
            seconds = (func.julianday(expr) - 2440587.5) * 86400.0
            return func.round(seconds, 3)
        return cast(extract("epoch", cast(expr, DateTime(timezone=True))), Float)

    def parsed(self, document: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON column ready for several reads: PostgreSQL's ``json`` is parsed on every
        ``->>``, so it is cast to ``jsonb`` (parsed once); SQLite reads its text as it is."""
        return document if self.is_sqlite else cast(document, JSONB)

    def ranged(self, conn: Connection, column: ColumnElement[Any], period: Period) -> Any:
        """``column`` to filter by ``period``: on SQLite, wrapped so that a period covering
        most of the rows scans the table instead of visiting it row by row through the
        column's index (several times faster there; SQLite keeps no statistics to see it).
        The share is estimated from the column's first and last values (two index probes).
        """
        if not self.is_sqlite:
            return column
        first = conn.execute(select(func.min(column))).scalar()
        last = conn.execute(select(func.max(column))).scalar()
        if first is None or last is None or last <= first:
            return column
        start = max(period.start.replace(tzinfo=None), first)
        end = min(period.end.replace(tzinfo=None), last)
        share = max((end - start).total_seconds(), 0) / (last - first).total_seconds()
        return func.likely(column) if share > SCAN_SHARE else column

    def bucket_of_timestamp(self, column: ColumnElement[Any], unit: str) -> ColumnElement[str]:
        """The UTC day or month of a timestamp column, as text (cheap: no conversion on SQLite,
        which keeps ``YYYY-MM-DD HH:MM:SS`` in UTC)."""
        if self.is_sqlite:
            return func.substr(column, 1, 10 if unit == "day" else 7)
        at_utc = func.timezone("UTC", column)
        return func.to_char(at_utc, "YYYY-MM-DD" if unit == "day" else "YYYY-MM")

    def bucket(self, seconds: ColumnElement[Any], unit: str) -> ColumnElement[str]:
        """The UTC day (``YYYY-MM-DD``) or month (``YYYY-MM``) of an ``epoch`` value, as text."""
        if self.is_sqlite:
            return func.strftime("%Y-%m-%d" if unit == "day" else "%Y-%m", seconds, "unixepoch")
        at_utc = func.timezone("UTC", func.to_timestamp(seconds))
        return func.to_char(at_utc, "YYYY-MM-DD" if unit == "day" else "YYYY-MM")


def percentiles(
    conn: Connection,
    durations: Select[Any] | CompoundSelect[Any],
    *,
    groups: Mapping[str, str] | None = None,
) -> dict[str, Percentiles]:
    """p50 and p90 of ``durations`` (a select of ``grp`` and ``dur`` columns), per ``grp``.

    Only the two ranked rows of each group and its count come back. ``groups``
    renames groups in the answer (unknown names are kept).
    """
    inner = durations.subquery("durations")
    ranked = select(
        inner.c.grp,
        inner.c.dur,
        func.row_number().over(partition_by=inner.c.grp, order_by=inner.c.dur).label("rn"),
        func.count().over(partition_by=inner.c.grp).label("n"),
    ).subquery("ranked")
    rows = conn.execute(
        select(ranked.c.grp, ranked.c.dur, ranked.c.rn, ranked.c.n).where(
            or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n * 9 + 9) // 10)
        )
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = (groups or {}).get(row.grp, row.grp)
        entry = found.setdefault(name, {"count": int(row.n), "p50_s": None, "p90_s": None})
        n, rank, value = int(row.n), int(row.rn), round(float(row.dur), 3)
        if rank == (n + 1) // 2:
            entry["p50_s"] = value
        if rank == (9 * n + 9) // 10:
            entry["p90_s"] = value
    return {name: Percentiles(**values) for name, values in found.items()}


ALL = literal("all")
"""The group of a percentile over everything."""
