"""An injectable clock: tests and audits move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says ``at`` (a UTC instant), for ``--now`` and tests."""
    if at.tzinfo is None:
        raise ValueError("the instant needs a time zone (e.g. 2026-12-03T10:00:00Z)")
    instant = at.astimezone(UTC)
    return lambda: instant
