"""Flood protection: an entry that suddenly matches far more than usual is looked at.

Why it exists: exchanged banks contain entries that are not what they claim (a
meme, a logo, a corrupt or near-blank hash; see ThreatExchange issues #1609 and
#1873). Such an entry matches everything that looks like it and can take a
service down with false blocks.

Why it must not be a switch an attacker can flip: the mass re-upload of a
victim's image is exactly what ``ncii``, ``csam``, ``consent`` and
``takedown`` banks exist to stop, and anyone holding a ``screen`` key can send
the same image a thousand times. So:

* an entry of a **protected** kind is never paused: passing the limit raises an
  alert (logged and kept in the store for a reviewer) and the entry keeps
  matching;
* an entry of any other kind (``custom``, ``negative``) is quarantined only
  when it matches more than the limit of **distinct** images within the window,
  coming from at least ``min_clients`` distinct clients (API keys). Repeats of
  the same bytes (same MD5) and near-duplicates (PDQ within
  ``CLUSTER_BITS``) count once, so re-sending one image, re-encoded or not,
  cannot trip it.

Counting is shared by every worker (``consentgate.counters.flood``: Redis,
the PostgreSQL store, or this worker's memory on SQLite), so ``N`` workers
allow the limit once, not ``N`` times; only the worker that passes the limit
first reports it (an atomic mark). Only entries that matched are tracked; per
entry, a window holds at most ``limit + 1`` matches for protected entries and
``(limit + 2) * max(4, min_clients)`` distinct (content, client) pairs for
others.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consentgate.banks.records import BankKind
from consentgate.counters import CountersUnavailable
from consentgate.counters.flood import FloodLog, Seen
from consentgate.counters.flood_memory import MemoryFloodLog

log = logging.getLogger(__name__)

PROTECTED_KINDS = frozenset({BankKind.NCII, BankKind.CSAM, BankKind.CONSENT, BankKind.TAKEDOWN})
"""Kinds whose entries flood protection never pauses: their floods are the attack."""

CLUSTER_BITS = 16
"""PDQ distance within which two matched images count as the same content.

Re-encoding, resizing and small edits of one image stay well within it (see
``bench/hash_robustness.py``); different photos matching one bad entry are
usually further apart.
"""


def is_protected(kind: str) -> bool:
    try:
        return BankKind(kind) in PROTECTED_KINDS
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class FloodEvent:
    """An entry that passed its bank's flood limit within the window."""

    entry_id: int
    bank: str
    bank_kind: str
    protected: bool
    matches: int  # protected: matches in the window; others: distinct (image, client) pairs
    contents: int  # distinct images (MD5 / PDQ clusters) among them
    clients: int  # distinct clients among them
    limit: int
    window_s: float

    @property
    def reason(self) -> str:
        window = f"{self.window_s:g} s"
        if self.protected:
            return (
                f"flood alert: more than {self.limit} matches in {window} on a "
                f"{self.bank_kind} entry; it keeps matching"
            )
        return (
            f"flood: {self.contents} distinct images from {self.clients} client(s) "
            f"matched in {window} (limit {self.limit})"
        )


@dataclass(frozen=True, slots=True)
class Query:
    """What flood counting needs to know of the matched image and who sent it."""

    md5: str | None = None
    pdq: str | None = None
    client: str | None = None


@dataclass(frozen=True, slots=True)
class _Watch:
    """The entry being counted and its bank's limit."""

    entry_id: int
    bank: str
    bank_kind: str
    limit: int
    window_s: float

    def event(
        self, protected: bool, *, matches: int, contents: int = 0, clients: int = 0
    ) -> FloodEvent:
        return FloodEvent(
            self.entry_id,
            self.bank,
            self.bank_kind,
            protected,
            matches,
            contents,
            clients,
            self.limit,
            self.window_s,
        )


Cluster = tuple[str | None, str | None]
"""A cluster of near-identical images, named by its first image's (MD5, PDQ)."""

OVERFLOW: Cluster = (None, "overflow")
"""Every new image once ``limit + 1`` clusters exist: memory stays bounded while the
client condition holds a trip back."""


def pair(cluster: Cluster, client: str) -> str:
    return json.dumps([cluster[0], cluster[1], client])


def unpair(member: str) -> tuple[Cluster, str]:
    md5, pdq, client = json.loads(member)
    return (md5, pdq), client


def cluster_of(query: Query, clusters: Sequence[Cluster], room: int) -> Cluster:
    """The cluster this query joins; a new one while fewer than ``room`` exist.

    A repeat of the same bytes (MD5) or an image within ``CLUSTER_BITS`` of a
    cluster's first image joins that cluster.
    """
    if query.md5 is not None:
        for cluster in clusters:
            if cluster[0] == query.md5:
                return cluster
    code = int(query.pdq, 16) if query.pdq else None
    if code is not None:
        for cluster in clusters:
            other = cluster[1] if cluster != OVERFLOW else None
            if other is not None and (code ^ int(other, 16)).bit_count() <= CLUSTER_BITS:
                return cluster
    if len(clusters) >= room:
        return OVERFLOW
    return (query.md5, query.pdq)


class FloodGuard:
    """Sliding-window match counts per entry, in a log every worker shares;
    reports entries that pass their limit."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        min_clients: int = 1,
        log: FloodLog | None = None,
    ) -> None:
        self._clock = clock  # wall time: the log is shared with other processes
        self.min_clients = min_clients
        self.log: FloodLog = log or MemoryFloodLog()

    def record(
        self,
        entry_id: int,
        *,
        bank: str,
        bank_kind: str,
        limit: int | None,
        window_s: float,
        query: Query = Query(),
    ) -> FloodEvent | None:
        """Count one match; an event when the entry passes its limit (else None).

        A protected entry reports at most once per window and keeps being
        counted; any other entry reports once, then not again until ``reset``
        (its quarantine is lifted by a reviewer). Counts that cannot be reached
        are logged and skipped: flood counting never fails a match.
        """
        if limit is None:
            return None
        watch = _Watch(entry_id, bank, bank_kind, limit, window_s)
        now = self._clock()
        try:
            if is_protected(bank_kind):
                return self._count_protected(watch, now)
            return self._count_distinct(watch, now, query)
        except CountersUnavailable as exc:
            log.warning("bank entry %s: flood not counted (%s)", entry_id, exc.message)
            return None

    def _count_protected(self, watch: _Watch, now: float) -> FloodEvent | None:
        matches = self.log.count(watch.entry_id, now, watch.window_s, keep=watch.limit + 1)
        if matches <= watch.limit:
            return None
        if not self.log.claim(watch.entry_id, "alert", now, ttl_s=watch.window_s):
            return None  # already raised in this window, by this worker or another
        return watch.event(True, matches=watch.limit + 1)

    def _count_distinct(self, watch: _Watch, now: float, query: Query) -> FloodEvent | None:
        def choose(window: Sequence[Seen]) -> str:
            clusters = list(dict.fromkeys(unpair(seen.member)[0] for seen in window))
            return pair(cluster_of(query, clusters, room=watch.limit + 1), query.client or "")

        keep = (watch.limit + 2) * max(4, self.min_clients)
        window = self.log.observe(watch.entry_id, now, watch.window_s, keep, choose)
        pairs = [unpair(seen.member) for seen in window]
        contents = len({cluster for cluster, _ in pairs})
        clients = len({client for _, client in pairs})
        if contents <= watch.limit or clients < self.min_clients:
            return None
        if not self.log.claim(watch.entry_id, "tripped", now, ttl_s=None):
            return None  # another worker tripped it first
        return watch.event(False, matches=len(pairs), contents=contents, clients=clients)

    def reset(self, entry_id: int) -> None:
        """Forget an entry's history in every worker (after a reviewer reinstates it)."""
        try:
            self.log.forget(entry_id)
        except CountersUnavailable as exc:  # the reinstatement itself stands
            log.warning("bank entry %s: flood history not reset (%s)", entry_id, exc.message)
