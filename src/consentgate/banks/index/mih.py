"""Multi-index hashing (Norouzi et al.): exact PDQ range search far below a flat scan.

Split the 256 bits into m disjoint substrings and give substring i a probe radius
r_i with Σ(r_i + 1) ≥ R + 1. If two hashes are within R, their substring
distances sum to ≤ R, so some substring i differs in ≤ r_i bits (pigeonhole):
probing every key within r_i of the query's substring in table i finds every
true match, and a popcount check on the full 256 bits drops the rest. Exact by
construction, not approximate.

Tables are CSR arrays: ``offsets`` (one per possible key, all tables
concatenated) into ``rows`` (row numbers grouped by key, uint32). A query is a
dozen vectorised numpy operations; no Python object per hash.

The plan (substring widths and radii) is chosen from the bank size so buckets
hold about one row each (see ``plan_for``): faiss's MIH uses sixteen 16-bit
substrings, which at 10M hashes puts ~150 rows in each bucket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Self

import numpy as np
import numpy.typing as npt

from consentgate.banks.index.base import Rows

BITS = 256


@dataclass(frozen=True, slots=True)
class Substring:
    offset: int  # first bit (bit b = bit b % 64 of word b // 64)
    width: int
    radius: int  # probe radius in this table


@dataclass(frozen=True, slots=True)
class Plan:
    radius: int  # the largest query radius the plan is exact for
    substrings: tuple[Substring, ...]

    @property
    def probes(self) -> int:
        return sum(sum(comb(s.width, k) for k in range(s.radius + 1)) for s in self.substrings)

    def expected_candidates(self, n: int) -> float:
        return float(
            sum(
                sum(comb(s.width, k) for k in range(s.radius + 1)) * n / 2**s.width
                for s in self.substrings
            )
        )

    def offsets_bytes(self) -> int:
        return sum((2**s.width + 1) * 4 for s in self.substrings)


def make_plan(m: int, radius: int = 31) -> Plan:
    """m near-equal substrings; radii r or r+1 so that Σ(r_i + 1) = radius + 1 exactly-ish."""
    widths = [BITS // m + (1 if i < BITS % m else 0) for i in range(m)]
    base = (radius + 1) // m  # every table gets at least base - 1
    radii = [base - 1] * m
    spare = radius + 1 - base * m  # tables that need one more bit of radius
    # Give the extra radius to the narrowest tables (fewest probes per extra bit).
    for i in sorted(range(m), key=lambda i: widths[i])[:spare]:
        radii[i] += 1
    subs, offset = [], 0
    for width, r in zip(widths, radii, strict=True):
        subs.append(Substring(offset, width, r))
        offset += width
    plan = Plan(radius, tuple(subs))
    assert sum(s.radius + 1 for s in plan.substrings) >= radius + 1
    return plan


def _split(bits: int, parts: int) -> list[int]:
    return [bits // parts + (1 if i < bits % parts else 0) for i in range(parts)]


@lru_cache(maxsize=4)
def candidate_plans(radius: int = 31) -> tuple[tuple[Plan, int, float, int], ...]:
    """Plans with m tables: ``hi`` of them probe radius r, the rest r - 1, and the
    wider substrings go to the larger radius (fewer candidates per probe)."""
    plans = [make_plan(m, radius) for m in range(8, 25)]
    for m in range(8, 25):
        for hi in range(1, m + 1):
            r = -(-(radius + 1) // m)  # the even split
            for r_hi in range(max(1, r - 1), r + 2):
                if hi * (r_hi + 1) + (m - hi) * r_hi < radius + 1:
                    continue
                for w_hi in range(14, 27):
                    rest = BITS - hi * w_hi
                    if m > hi and not 0 < rest // (m - hi) <= 32:
                        continue
                    if m == hi and rest != 0:
                        continue
                    widths = [w_hi] * hi + (_split(rest, m - hi) if m > hi else [])
                    radii = [r_hi] * hi + [r_hi - 1] * (m - hi)
                    subs, offset = [], 0
                    for width, rad in zip(widths, radii, strict=True):
                        subs.append(Substring(offset, width, rad))
                        offset += width
                    plans.append(Plan(radius, tuple(subs)))
    unique = {p.substrings: p for p in plans}.values()
    return tuple((p, p.probes, p.expected_candidates(1), p.offsets_bytes()) for p in unique)


def plan_for(
    n: int,
    radius: int = 31,
    *,
    max_offset_bytes: int = 256 << 20,
    max_row_bytes_per_hash: int = 48,
) -> Plan:
    """The plan with the lowest modelled query time for n codes within a memory budget.

    Model (fitted on this code, one core): about 45 ns per probe and 65 ns per
    candidate checked, plus a fixed ~0.1 ms of numpy calls.

    Budget: CSR offsets (4 bytes per possible key) up to 256 MB, and at most 12
    row ids (48 bytes) per hash, which keeps a 10M index near 1 GB.
    """
    best: tuple[float, Plan] | None = None
    for plan, probes, per_hash, offsets in candidate_plans(radius):
        m = len(plan.substrings)
        if offsets > max_offset_bytes:
            continue
        if n >= 1_000_000 and 4 * m > max_row_bytes_per_hash:
            continue
        cost = 60 + 3 * m + 0.045 * probes + 0.065 * per_hash * n
        if best is None or cost < best[0]:
            best = (cost, plan)
    assert best is not None
    return best[1]


def _masks(width: int, radius: int) -> npt.NDArray[np.int64]:
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << b for b in bits) for bits in combinations(range(width), k))
    return np.array(out, dtype=np.int64)


def substring_keys(codes: npt.NDArray[np.uint64], sub: Substring) -> npt.NDArray[np.int64]:
    word, shift = divmod(sub.offset, 64)
    keys = codes[:, word] >> np.uint64(shift)
    if shift + sub.width > 64:
        keys = keys | (codes[:, word + 1] << np.uint64(64 - shift))
    mask = np.uint64((1 << sub.width) - 1)
    return (keys & mask).astype(np.int64)


def hamming(codes: npt.NDArray[np.uint64], query: npt.NDArray[np.uint64]) -> Rows:
    """Distances of (n, 4) codes to one query (column adds beat a reduction here)."""
    counts = np.bitwise_count(codes ^ query.reshape(1, 4))
    total: Rows = counts[:, 0].astype(np.int64)
    total += counts[:, 1]
    total += counts[:, 2]
    total += counts[:, 3]
    return total


class MultiIndexHash:
    """Exact range search (radius ≤ plan.radius) over packed 256-bit codes."""

    def __init__(
        self,
        codes: npt.NDArray[np.uint64],
        plan: Plan,
        offsets: npt.NDArray[np.uint32],
        rows: npt.NDArray[np.uint32],
    ) -> None:
        self.codes = codes
        self.plan = plan
        self.offsets = offsets
        self.rows = rows
        bases, base = [], 0
        for s in plan.substrings:
            bases.append(base)
            base += 2**s.width + 1
        subs = plan.substrings
        self._words = np.array([s.offset // 64 for s in subs], dtype=np.intp)
        self._shifts = np.array([s.offset % 64 for s in subs], dtype=np.uint64)
        crosses = np.array([s.offset % 64 + s.width > 64 for s in subs])
        self._hi_shifts = np.where(crosses, 64 - self._shifts.astype(np.int64), 0).astype(np.uint64)
        self._hi_keep = np.where(crosses, np.uint64(2**64 - 1), np.uint64(0)).astype(np.uint64)
        self._key_masks = np.array([(1 << s.width) - 1 for s in subs], dtype=np.uint64)
        masks = [_masks(s.width, s.radius) for s in plan.substrings]
        self._probe_masks = np.concatenate(masks)
        self._probe_table = np.repeat(np.arange(len(masks)), [len(m) for m in masks])
        self._probe_base = np.repeat(np.array(bases, dtype=np.int64), [len(m) for m in masks])

    @classmethod
    def build(cls, codes: npt.NDArray[np.uint64], plan: Plan | None = None) -> Self:
        codes = np.ascontiguousarray(codes, dtype=np.uint64)
        n = len(codes)
        if n >= 2**32:
            raise ValueError("an index holds at most 2**32 - 1 codes")
        plan = plan or plan_for(n)
        offsets_parts, rows_parts = [], []
        position = np.arange(n, dtype=np.uint64)
        for t, sub in enumerate(plan.substrings):
            keys = substring_keys(codes, sub).astype(np.uint64)
            packed = np.sort((keys << np.uint64(32)) | position)
            rows_parts.append((packed & np.uint64(0xFFFFFFFF)).astype(np.uint32))
            counts = np.bincount((packed >> np.uint64(32)).astype(np.int64), minlength=2**sub.width)
            offsets = np.zeros(2**sub.width + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            offsets_parts.append((offsets + t * n).astype(np.uint32))
        rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, np.uint32)
        return cls(codes, plan, np.concatenate(offsets_parts), rows)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.offsets.nbytes + self.rows.nbytes)

    def _keys(self, query: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        padded = np.zeros(5, dtype=np.uint64)
        padded[:4] = query.reshape(4)
        low = padded[self._words] >> self._shifts
        high = (padded[self._words + 1] << self._hi_shifts) & self._hi_keep
        return ((low | high) & self._key_masks).astype(np.int64)

    def candidates(self, query: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
        keys = self._keys(query)
        probe = (keys[self._probe_table] ^ self._probe_masks) + self._probe_base
        starts = self.offsets[probe].astype(np.int64)
        counts = self.offsets[probe + 1].astype(np.int64) - starts
        nonempty = counts > 0
        starts, counts = starts[nonempty], counts[nonempty]
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.uint32)
        shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        result: npt.NDArray[np.uint32] = np.take(self.rows, np.arange(total) + shift)
        return result

    def search(self, query: npt.NDArray[np.uint64], radius: int) -> tuple[Rows, Rows]:
        if radius > self.plan.radius:
            raise ValueError(f"this index is exact up to radius {self.plan.radius}")
        cand = self.candidates(query).astype(np.intp)
        dist = hamming(np.take(self.codes, cand, axis=0), query)
        keep = dist <= radius
        rows, first = np.unique(cand[keep], return_index=True)
        return rows.astype(np.int64), dist[keep][first]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "codes.npy", self.codes)
        np.save(directory / "offsets.npy", self.offsets)
        np.save(directory / "rows.npy", self.rows)
        subs = [
            {"offset": s.offset, "width": s.width, "radius": s.radius} for s in self.plan.substrings
        ]
        plan = {"radius": self.plan.radius, "substrings": subs}
        (directory / "plan.json").write_text(json.dumps(plan))

    @classmethod
    def load(cls, directory: Path) -> Self:
        spec = json.loads((directory / "plan.json").read_text())
        plan = Plan(spec["radius"], tuple(Substring(**s) for s in spec["substrings"]))
        return cls(
            np.load(directory / "codes.npy"),
            plan,
            np.load(directory / "offsets.npy"),
            np.load(directory / "rows.npy"),
        )
