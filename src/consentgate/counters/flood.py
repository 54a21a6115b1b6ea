"""Bank flood counts shared by every worker: one small log per bank entry.

Why shared: flood protection (``consentgate.banks.flood``) watches how often
each bank entry matches within its window. Kept in each worker, ``N`` workers
would each see a share of the matches, so an alert on a protected entry came
later (or never) and a flooding ``custom`` entry was quarantined only after
``N`` times its limit. The log lives where the other counters live: Redis when
``CONSENTGATE_REDIS_URL`` is set, else the store (PostgreSQL, or the SQLite
file several workers share), else, for one worker on SQLite, its memory.

The log knows nothing of PDQ or clients: it keeps opaque members with the time
each was last seen, and runs the caller's ``choose`` while the entry's log is
held, so two workers never assign one image to two different clusters. The
caller's clock is used (wall time, shared by every worker well enough for
windows of seconds to hours).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Seen:
    """One member of an entry's window and when it was last seen (seconds since the epoch)."""

    member: str
    at: float


Choose = Callable[[Sequence[Seen]], str]
"""Given the entry's window (oldest first), the member the new observation adds or refreshes."""


class FloodLog(Protocol):
    """Per-entry windows of matches, shared by every worker of a service.

    ``count`` adds one match at ``now``, forgets those at or before
    ``now - window_s`` and all but the newest ``keep``, and answers how many are
    left. ``observe`` forgets the same way, then adds (or refreshes) the member
    that ``choose`` picks from the rest, as one step, and answers the window
    after it, oldest first, at most ``keep`` long. ``claim`` sets a mark if it
    is not set (or has expired after ``ttl_s``; ``None``: never) and answers
    whether this call set it, so only one worker reports. ``forget`` drops an
    entry's windows and marks. Each raises ``CountersUnavailable`` when the
    backend cannot be reached.
    """

    name: str

    def count(self, entry_id: int, now: float, window_s: float, keep: int) -> int: ...

    def observe(
        self, entry_id: int, now: float, window_s: float, keep: int, choose: Choose
    ) -> Sequence[Seen]: ...

    def claim(self, entry_id: int, mark: str, now: float, ttl_s: float | None) -> bool: ...

    def forget(self, entry_id: int) -> None: ...

    def held(self, entry_id: int) -> int:
        """How many matches and members the entry holds (memory bounds, tests)."""
        ...

    def close(self) -> None: ...
