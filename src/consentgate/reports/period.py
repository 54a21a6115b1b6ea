"""The period a report covers: ``[start, end)`` in UTC, from dates or instants.

Why dates are inclusive: a compliance officer asks for "1 July to 31
December", and the EU templates write the period as
``YYYY-MM-DD/YYYY-MM-DD`` with both days in it. So a date as the end means
the whole of that day (the report runs up to the next midnight, UTC), while an
instant as the end is exclusive, as everywhere else in ConsentGate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from consentgate.errors import BadInput
from consentgate.records import Record

MAX_YEARS = 20
"""The longest period a report may cover (a bound on the chart's buckets, not on rows)."""
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""Periods lie between these (instants are counted in seconds since 1970)."""


class Period(Record):
    """``start`` (inclusive) to ``end`` (exclusive), both UTC."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """As the EU templates write it: first and last day, both included."""
        last = (self.end - timedelta(microseconds=1)).date()
        return f"{self.start.date().isoformat()}/{last.isoformat()}"

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86_400


def parse_bound(value: str, *, field: str, end: bool) -> datetime:
    """A ``YYYY-MM-DD`` date or an ISO 8601 instant with a zone, as a UTC instant.

    A date that ends a period means the end of that day.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            at = datetime.combine(day, time(), tzinfo=UTC)
            return at + timedelta(days=1) if end else at
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise BadInput(
            f"{text!r} is neither a date (YYYY-MM-DD) nor an ISO 8601 instant", field=field
        ) from None
    if parsed.tzinfo is None:
        raise BadInput(f"{text!r} has no time zone (add Z or +00:00)", field=field)
    return parsed.astimezone(UTC)


def period_of(start: str | datetime, end: str | datetime) -> Period:
    """The period from ``start`` to ``end`` (strings as ``parse_bound`` reads them)."""
    first = start if isinstance(start, datetime) else parse_bound(start, field="from", end=False)
    last = end if isinstance(end, datetime) else parse_bound(end, field="to", end=True)
    if first.tzinfo is None or last.tzinfo is None:
        raise BadInput("instants need a time zone", field="from")
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    if first < EARLIEST:
        raise BadInput("a report starts in 1970 or later", field="from")
    if last > LATEST:
        raise BadInput("a report ends by the year 3000", field="to")
    if last <= first:
        raise BadInput("the period must end after it starts", field="to")
    if last - first > timedelta(days=366 * MAX_YEARS):
        raise BadInput(f"a report covers at most {MAX_YEARS} years", field="to")
    return Period(start=first, end=last)
