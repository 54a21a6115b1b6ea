"""The bank matcher: one process's in-memory index, kept current from the store.

It implements the detectors' ``HashLookup``. On start it loads a snapshot (or
builds from the store), then tails the ``bank_changes`` log with no full
rebuild: a background thread (``banks.refresher``) catches up as soon as a
change notice says the log moved (``banks.notices``: Redis pub/sub or
PostgreSQL LISTEN/NOTIFY), and in any case every ``poll_interval_s`` (0.5 s by
default), which also catches a lost notice. Bank settings (enabled, threshold,
kind) are re-read on every refresh and applied at query time. The recent part
is folded into the main index in the background once it grows past
``compact_above``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from consentgate.banks import repository as repo
from consentgate.banks.flood import FloodEvent, FloodGuard, Query
from consentgate.banks.index.codes import hex_to_codes
from consentgate.banks.index.md5 import md5_to_codes
from consentgate.banks.indexes import Indexes
from consentgate.banks.negative import apply_negative
from consentgate.banks.records import PDQ_MAX_THRESHOLD, PDQ_MIN_QUALITY, Bank, MatchResult
from consentgate.banks.refresher import Refresher
from consentgate.detectors.lookup import BankHit
from consentgate.records import utc_now
from consentgate.store.database import Database

log = logging.getLogger(__name__)

FloodHandler = Callable[[int, str], Any]
AlertHandler = Callable[[FloodEvent], Any]
RefreshHandler = Callable[[str, int, float], Any]
"""Told (trigger, changes applied, seconds since the oldest of them was logged)."""


class BankMatcher:
    """Exact PDQ (≤ each bank's threshold) and MD5 matching across enabled banks."""

    def __init__(
        self,
        db: Database,
        *,
        snapshot_dir: Path | None = None,
        poll_interval_s: float = 0.5,
        compact_above: int = 200_000,
        flood_max_matches: int | None = 1000,
        flood_window_s: int = 60,
        on_flood: FloodHandler | None = None,
        on_alert: AlertHandler | None = None,
        flood_guard: FloodGuard | None = None,
    ) -> None:
        self.db = db
        self.snapshot_dir = snapshot_dir
        self.poll_interval_s = poll_interval_s
        self.compact_above = compact_above
        self.flood_max_matches = flood_max_matches
        self.flood_window_s = flood_window_s
        self.on_flood = on_flood  # quarantines an entry of an unprotected kind
        self.on_alert = on_alert  # records an alert for an entry of a protected kind
        self.flood = flood_guard or FloodGuard()
        self._lock = threading.RLock()
        self._indexes: Indexes | None = None
        self._banks: dict[int, Bank] = {}
        self.on_refreshed: RefreshHandler | None = None  # metrics: what woke it, how late
        self._refresher: Refresher | None = None

    # -- lifecycle ---------------------------------------------------------------
    def load(self) -> None:
        """Load the snapshot if one is usable, else build from the store; then catch up."""
        with self._lock:
            with self.db.read() as conn:
                head, store = repo.max_seq(conn), repo.store_identity(conn)
            indexes = Indexes.load(self.snapshot_dir) if self.snapshot_dir else None
            built = indexes is None or indexes.cursor > head or indexes.store != store
            if built:
                with self.db.read() as conn:
                    head = repo.max_seq(conn)
                    indexes = Indexes.from_rows(repo.index_rows(conn), head)
                indexes.store = store
            assert indexes is not None
            self._indexes = indexes
            self.refresh(trigger="load")
        if built and self.snapshot_dir is not None:
            self._save_quietly()

    def start(self) -> BankMatcher:
        """Load now and keep refreshing in a daemon thread."""
        self.ensure_loaded()
        if self._refresher is None:
            self._refresher = Refresher(self.step, self.poll_interval_s).start()
        return self

    def close(self) -> None:
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None

    def notice(self, seq: int, *, trigger: str = "notice") -> None:
        """The change log reached ``seq``: catch up now if behind it.

        ``trigger`` names the source for the metrics: ``notice`` (another
        process, by change notice) or ``write`` (a commit in this process).
        """
        indexes = self._indexes
        if indexes is None or seq > indexes.cursor:
            self.wake(trigger)

    def wake(self, trigger: str = "notice") -> None:
        """Catch up now in the background thread (nothing before ``start``)."""
        if self._refresher is not None:
            self._refresher.wake(trigger)

    def ensure_loaded(self) -> Indexes:
        if self._indexes is None:
            with self._lock:
                if self._indexes is None:
                    self.load()
        assert self._indexes is not None
        return self._indexes

    def _save_quietly(self) -> None:
        """Write the snapshot; another worker writing it at the same moment is fine."""
        try:
            self.save_snapshot()
        except OSError:
            log.warning("could not write the bank index snapshot", exc_info=True)

    def save_snapshot(self, directory: Path | None = None) -> Path:
        target = directory or self.snapshot_dir
        if target is None:
            raise ValueError("no snapshot directory configured")
        with self._lock:
            self.ensure_loaded().save(target)
        return target

    # -- keeping current -----------------------------------------------------------
    def step(self, trigger: str) -> None:
        """One turn of the background thread: catch up, then compact if due."""
        self.refresh(trigger=trigger)
        self._maybe_compact()

    def refresh(self, batch: int = 50_000, *, trigger: str = "write") -> int:
        """Apply every change since the last one applied; returns how many.

        ``trigger`` says what asked (``write``: this process changed a bank;
        ``notice``, ``poll``: the background thread; ``load``) for ``on_refreshed``.
        """
        with self._lock:
            applied, oldest = self._catch_up(self.ensure_loaded(), batch)
        if applied and oldest is not None and trigger != "load":
            self._report_refresh(trigger, applied, (utc_now() - oldest).total_seconds())
        return applied

    def _report_refresh(self, trigger: str, applied: int, lag_s: float) -> None:
        if self.on_refreshed is None:
            return
        try:
            self.on_refreshed(trigger, applied, max(lag_s, 0.0))
        except Exception:  # counting must never stop the index from following the store
            log.exception("could not count a bank index refresh")

    def _catch_up(self, indexes: Indexes, batch: int = 50_000) -> tuple[int, datetime | None]:
        applied, oldest = 0, None
        while True:
            with self.db.read() as conn:
                self._banks = {b.id: b for b in repo.all_banks(conn)}
                changes = repo.changes_since(conn, indexes.cursor, batch)
                ids = sorted({c[2] for c in changes if c[2] is not None})
                rows = [r for chunk in repo.index_rows(conn, ids) for r in chunk]
            indexes.apply(rows)
            if changes:
                indexes.cursor = changes[-1][0]
                oldest = oldest or changes[0][3]
            applied += len(changes)
            if len(changes) < batch:
                return applied, oldest

    def compact(self) -> None:
        """Fold the recent part into a new main index without pausing queries or updates.

        The build runs on a consistent copy; changes that arrive meanwhile are
        re-applied from the change log (idempotently) before the swap.
        """
        with self._lock:
            current = self.ensure_loaded()
            pdq, md5, cursor = current.pdq.frozen(), current.md5.frozen(), current.cursor
        fresh = Indexes(pdq.compacted(), md5.compacted(), cursor, current.store)
        with self._lock:
            self._catch_up(fresh)
            self._indexes = fresh
        if self.snapshot_dir is not None:
            self._save_quietly()

    def _maybe_compact(self) -> None:
        indexes = self.ensure_loaded()
        if indexes.pdq.recent_size + indexes.md5.recent_size > self.compact_above:
            self.compact()

    # -- matching -----------------------------------------------------------------
    def match(
        self,
        pdqs: Sequence[str],
        *,
        quality: int | None,
        md5: str | None,
        query: str = "",
        client: str | None = None,
    ) -> MatchResult:
        """Hits for one image: its PDQ hash(es) (e.g. 8 dihedral) and/or its MD5.

        ``client`` (an API key id) lets flood protection tell many senders from one.
        """
        indexes = self.ensure_loaded()
        banks = self._banks
        low = quality is not None and quality < PDQ_MIN_QUALITY
        best: dict[tuple[int, str], tuple[int, int]] = {}
        radius = max((b.threshold for b in banks.values() if b.enabled), default=-1)
        if pdqs and not low and radius >= 0:
            for code in hex_to_codes(list(pdqs)):
                hits = indexes.pdq.search(code, min(radius, PDQ_MAX_THRESHOLD))
                self._collect(best, hits.entry_ids, hits.bank_ids, hits.distances, "pdq")
        if md5:
            hits = indexes.md5.search(md5_to_codes([md5])[0], 0)
            self._collect(best, hits.entry_ids, hits.bank_ids, hits.distances, "md5")
        found = [
            BankHit(
                bank=banks[bank_id].name,
                bank_kind=banks[bank_id].kind.value,
                entry=str(entry_id),
                distance=distance,
                hash_type=hash_type,
            )
            for (entry_id, hash_type), (bank_id, distance) in sorted(best.items())
        ]
        kept, suppressed = apply_negative(found)
        kept.sort(key=lambda h: (h.distance, h.bank, int(h.entry)))
        if kept:
            self._count(kept, Query(md5=md5, pdq=pdqs[0] if pdqs else None, client=client))
        return MatchResult(
            query=query, matches=tuple(kept), suppressed=tuple(suppressed), low_quality=low
        )

    def _collect(
        self,
        best: dict[tuple[int, str], tuple[int, int]],
        entry_ids: np.ndarray,
        bank_ids: np.ndarray,
        distances: np.ndarray,
        hash_type: str,
    ) -> None:
        banks = self._banks
        for entry_id, bank_id, distance in zip(
            entry_ids.tolist(), bank_ids.tolist(), distances.tolist(), strict=True
        ):
            bank = banks.get(bank_id)
            if bank is None or not bank.enabled or distance > bank.threshold:
                continue
            key = (entry_id, hash_type)
            if key not in best or distance < best[key][1]:
                best[key] = (bank_id, distance)

    def _count(self, hits: Sequence[BankHit], query: Query) -> None:
        """Flood counting: alert on protected entries, quarantine others (see ``flood``)."""
        by_name = {b.name: b for b in self._banks.values()}
        for hit in hits:
            bank = by_name[hit.bank]
            limit = bank.flood_max_matches or self.flood_max_matches
            window = bank.flood_window_s if bank.flood_max_matches else self.flood_window_s
            event = self.flood.record(
                int(hit.entry),
                bank=bank.name,
                bank_kind=bank.kind.value,
                limit=limit,
                window_s=window,
                query=query,
            )
            if event is None:
                continue
            try:
                self._report(event)
            except Exception:  # a failed report must never fail the match itself
                log.exception("could not report the flood on bank entry %s", event.entry_id)

    def _report(self, event: FloodEvent) -> None:
        if event.protected:
            log.warning("bank entry %s: %s", event.entry_id, event.reason)
            if self.on_alert is not None:
                self.on_alert(event)
            return
        log.warning("bank entry %s quarantined (%s)", event.entry_id, event.reason)
        if self.on_flood is not None:
            self.on_flood(event.entry_id, event.reason)

    def lookup(
        self,
        *,
        pdq: str | None,
        pdq_quality: int,
        md5: str,
        pdq_variants: Sequence[str] = (),
        client: str | None = None,
    ) -> Sequence[BankHit]:
        """HashLookup: the hits for one image (its PDQ, its dihedral variants, its MD5)."""
        pdqs = [pdq, *pdq_variants] if pdq else list(pdq_variants)
        return self.match(pdqs, quality=pdq_quality, md5=md5, client=client).matches

    @property
    def size(self) -> tuple[int, int]:
        """(PDQ rows, MD5 rows) currently matchable."""
        indexes = self.ensure_loaded()
        return len(indexes.pdq), len(indexes.md5)
