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

Counting is per process (each worker sees its share of traffic) and only
entries that matched are tracked; per entry, memory is bounded by the distinct
(content, client) pairs seen within one window, and by ``limit`` for protected
entries.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from consentgate.banks.records import BankKind

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


@dataclass
class _Cluster:
    """Near-identical matched images: the first one's MD5 and PDQ, and how many
    (cluster, client) pairs in the window refer to it."""

    md5: str | None
    code: int | None
    refs: int = 0


@dataclass
class _Track:
    """One entry's recent matches."""

    times: deque[float] = field(default_factory=deque)  # protected: at most limit+1
    pairs: dict[tuple[int, str], float] = field(default_factory=dict)  # oldest first
    clusters: dict[int, _Cluster] = field(default_factory=dict)
    by_md5: dict[str, int] = field(default_factory=dict)
    next_cluster: int = 0
    quiet_until: float = float("-inf")

    def cluster_of(self, query: Query, room: int) -> int:
        """The cluster this query joins; a new one while fewer than ``room`` exist.

        A repeat of the same bytes (MD5) or an image within ``CLUSTER_BITS`` of
        a cluster's first image joins that cluster. Past ``room`` clusters every
        new image shares one overflow cluster, so memory stays bounded when the
        client condition holds the trip back.
        """
        if query.md5 is not None and query.md5 in self.by_md5:
            return self.by_md5[query.md5]
        code = int(query.pdq, 16) if query.pdq else None
        if code is not None:
            for number, cluster in self.clusters.items():
                if cluster.code is not None and (code ^ cluster.code).bit_count() <= CLUSTER_BITS:
                    return number
        if len(self.clusters) >= room:
            self.clusters.setdefault(OVERFLOW, _Cluster(None, None))
            return OVERFLOW
        number = self.next_cluster
        self.next_cluster += 1
        self.clusters[number] = _Cluster(query.md5, code)
        if query.md5 is not None:
            self.by_md5[query.md5] = number
        return number

    def expire(self, cutoff: float) -> None:
        """Forget pairs last seen at or before ``cutoff``, and clusters left unused."""
        pairs = self.pairs
        while pairs:
            oldest = next(iter(pairs))
            if pairs[oldest] > cutoff:
                break
            del pairs[oldest]
            cluster = self.clusters[oldest[0]]
            cluster.refs -= 1
            if cluster.refs <= 0:
                del self.clusters[oldest[0]]
                if cluster.md5 is not None:
                    self.by_md5.pop(cluster.md5, None)


OVERFLOW = -1


class FloodGuard:
    """Sliding-window match counts per entry; reports entries that pass their limit."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, min_clients: int = 1
    ) -> None:
        self._clock = clock
        self.min_clients = min_clients
        self._tracks: dict[int, _Track] = {}
        self._tripped: set[int] = set()
        self._lock = threading.Lock()

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
        counted; any other entry reports once, then is left alone until
        ``reset`` (its quarantine is lifted by a reviewer).
        """
        if limit is None:
            return None
        protected = is_protected(bank_kind)
        now = self._clock()
        with self._lock:
            if entry_id in self._tripped:
                return None
            track = self._tracks.setdefault(entry_id, _Track())
            watch = _Watch(entry_id, bank, bank_kind, limit, window_s)
            if protected:
                return self._count_protected(watch, track, now)
            return self._count_distinct(watch, track, now, query)

    def _count_protected(self, watch: _Watch, track: _Track, now: float) -> FloodEvent | None:
        times = track.times
        times.append(now)
        while times and times[0] <= now - watch.window_s:
            times.popleft()
        if len(times) > watch.limit + 1:
            times.popleft()  # only "more than limit" matters: keep memory bounded
        if len(times) <= watch.limit or now < track.quiet_until:
            return None
        track.quiet_until = now + watch.window_s
        times.clear()
        return watch.event(True, matches=watch.limit + 1)

    def _count_distinct(
        self, watch: _Watch, track: _Track, now: float, query: Query
    ) -> FloodEvent | None:
        track.expire(now - watch.window_s)
        cluster = track.cluster_of(query, room=watch.limit + 1)
        key = (cluster, query.client or "")
        if track.pairs.pop(key, None) is None:
            track.clusters[cluster].refs += 1
        track.pairs[key] = now  # re-inserted: the dict stays ordered by last seen
        contents = len(track.clusters)
        clients = len({client for _, client in track.pairs})
        if contents <= watch.limit or clients < self.min_clients:
            return None
        self._tripped.add(watch.entry_id)
        del self._tracks[watch.entry_id]
        return watch.event(False, matches=len(track.pairs), contents=contents, clients=clients)

    def reset(self, entry_id: int) -> None:
        """Forget an entry's history (after a reviewer reinstates it)."""
        with self._lock:
            self._tripped.discard(entry_id)
            self._tracks.pop(entry_id, None)

    def tracked(self) -> int:
        """How many entries are being counted (for tests and metrics)."""
        return len(self._tracks)
