"""A live index: a big static main part, a small "recent" part, and tombstones.

Adds go to the recent part (rebuilt in milliseconds), withdrawals flip a bit in
an ``alive`` array, so changes are matchable at once with no rebuild of the main
index; ``compacted`` folds everything into a new main index when the recent part
grows. Rows are keyed by entry id (sorted int64 arrays, found by binary search).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from consentgate.banks.index.base import StaticIndex

Builder = Callable[[npt.NDArray[np.uint64]], StaticIndex]
Loader = Callable[[Path], StaticIndex]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Part:
    """One static index plus, per row, its entry id (ascending), bank id and liveness."""

    index: StaticIndex
    entry_ids: I64
    bank_ids: npt.NDArray[np.int32]
    alive: npt.NDArray[np.bool_]

    @classmethod
    def build(
        cls,
        builder: Builder,
        entry_ids: I64,
        bank_ids: npt.NDArray[np.int32],
        codes: npt.NDArray[np.uint64],
    ) -> Part:
        order = np.argsort(entry_ids, kind="stable")
        return cls(
            builder(np.ascontiguousarray(codes[order])),
            np.ascontiguousarray(entry_ids[order], dtype=np.int64),
            np.ascontiguousarray(bank_ids[order], dtype=np.int32),
            np.ones(len(order), dtype=bool),
        )

    def rows_of(self, entry_ids: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
        """(row, found) for each entry id."""
        rows = np.searchsorted(self.entry_ids, entry_ids)
        rows = np.minimum(rows, max(0, len(self.entry_ids) - 1))
        found = (
            (self.entry_ids[rows] == entry_ids)
            if len(self.entry_ids)
            else np.zeros(len(entry_ids), bool)
        )
        return rows, found


@dataclass(frozen=True, slots=True)
class Hits:
    entry_ids: I64
    bank_ids: npt.NDArray[np.int32]
    distances: I64


class LiveSet:
    """Exact search over main + recent, skipping tombstoned rows."""

    def __init__(self, builder: Builder, width: int, main: Part | None = None) -> None:
        self.builder = builder
        self.width = width
        empty = np.zeros((0, width), dtype=np.uint64)
        none = np.zeros(0, dtype=np.int64)
        self.main = main or Part.build(builder, none, none.astype(np.int32), empty)
        self.recent = Part.build(builder, none, none.astype(np.int32), empty)
        self._recent_codes = empty

    def __len__(self) -> int:
        return int(self.main.alive.sum() + self.recent.alive.sum())

    @property
    def is_compact(self) -> bool:
        """Everything is in the main part and alive: saving needs no rebuild."""
        return not len(self.recent.entry_ids) and bool(self.main.alive.all())

    @property
    def recent_size(self) -> int:
        return len(self.recent.entry_ids)

    @property
    def nbytes(self) -> int:
        parts = (self.main, self.recent)
        return sum(
            p.index.nbytes + p.entry_ids.nbytes + p.bank_ids.nbytes + p.alive.nbytes for p in parts
        )

    def upsert(
        self, entry_ids: I64, bank_ids: npt.NDArray[np.int32], codes: npt.NDArray[np.uint64]
    ) -> None:
        """Make these entries matchable (revive known rows, append new ones to recent)."""
        if not len(entry_ids):
            return
        fresh = np.ones(len(entry_ids), dtype=bool)
        for part in (self.main, self.recent):
            rows, found = part.rows_of(entry_ids)
            part.alive[rows[found]] = True
            fresh &= ~found
        if fresh.any():
            recent = self.recent
            keep = recent.alive
            self._recent_codes = np.concatenate([self._recent_codes[keep], codes[fresh]])
            self.recent = Part.build(
                self.builder,
                np.concatenate([recent.entry_ids[keep], entry_ids[fresh]]),
                np.concatenate([recent.bank_ids[keep], bank_ids[fresh]]),
                self._recent_codes,
            )
            self._recent_codes = self.recent.index.codes

    def remove(self, entry_ids: I64) -> None:
        for part in (self.main, self.recent):
            rows, found = part.rows_of(entry_ids)
            part.alive[rows[found]] = False

    def search(self, query: npt.NDArray[np.uint64], radius: int) -> Hits:
        ids, banks, dists = [], [], []
        for part in (self.main, self.recent):
            if not len(part.entry_ids):
                continue
            rows, d = part.index.search(query, radius)
            live = part.alive[rows]
            ids.append(part.entry_ids[rows[live]])
            banks.append(part.bank_ids[rows[live]])
            dists.append(d[live])
        if not ids:
            return Hits(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64))
        return Hits(np.concatenate(ids), np.concatenate(banks), np.concatenate(dists))

    def frozen(self) -> LiveSet:
        """A copy sharing the indexes, with its own liveness (safe to read during changes)."""
        out = LiveSet(self.builder, self.width)
        out.main = Part(
            self.main.index, self.main.entry_ids, self.main.bank_ids, self.main.alive.copy()
        )
        recent = self.recent
        out.recent = Part(recent.index, recent.entry_ids, recent.bank_ids, recent.alive.copy())
        return out

    def compacted(self) -> LiveSet:
        """A new set whose main index holds every live row (a full build)."""
        parts = (self.main, self.recent)
        out = LiveSet(self.builder, self.width)
        out.main = Part.build(
            self.builder,
            np.concatenate([p.entry_ids[p.alive] for p in parts]),
            np.concatenate([p.bank_ids[p.alive] for p in parts]),
            np.concatenate([p.index.codes[p.alive] for p in parts]),
        )
        return out

    def save(self, directory: Path) -> None:
        """Persist the main part (call on a compacted set)."""
        directory.mkdir(parents=True, exist_ok=True)
        self.main.index.save(directory / "index")
        np.save(directory / "entry_ids.npy", self.main.entry_ids)
        np.save(directory / "bank_ids.npy", self.main.bank_ids)
        (directory / "meta.json").write_text(json.dumps({"rows": len(self.main.entry_ids)}))

    @classmethod
    def load(cls, directory: Path, builder: Builder, loader: Loader, width: int) -> LiveSet:
        entry_ids = np.load(directory / "entry_ids.npy")
        main = Part(
            loader(directory / "index"),
            entry_ids,
            np.load(directory / "bank_ids.npy"),
            np.ones(len(entry_ids), dtype=bool),
        )
        return cls(builder, width, main)
