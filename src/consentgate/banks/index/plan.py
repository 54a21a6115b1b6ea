"""Multi-index hashing plans: how the 256 bits are split and how far each table probes.

A plan is exact for query radius R when Σ(r_i + 1) ≥ R + 1 over its substrings
(pigeonhole, see ``mih``). Among exact plans, ``plan_for`` picks the one with the
lowest modelled query time for the bank's size within a memory budget: wide
substrings keep buckets small at 10M hashes, narrow ones keep probes cheap at
small sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import comb

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
