"""Look up lexicon hits by where they are, so phrase rules stay linear in the prompt.

Why: the phrase rules pair hits that are near each other ("remove" … "her shirt"
within a few words). Comparing every hit with every other is quadratic, and a
20,000-character prompt of edit words or emoji holds thousands of hits. Sorted
positions and a bisection answer "which hits lie in this range" at the cost of
the answer, so a rule costs time in proportion to the hits that can matter.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from consentgate.lexicon.matcher import Hit


class HitIndex:
    """Hits sorted by one position (a word index or a character offset)."""

    def __init__(self, hits: Sequence[Hit], position: Callable[[Hit], int]) -> None:
        # A stable sort: hits at the same position keep the order they were found in.
        self._order = sorted(range(len(hits)), key=lambda j: position(hits[j]))
        self._keys = [position(hits[j]) for j in self._order]

    def between(self, lo: int, hi: int) -> list[int]:
        """Indices (into the hits given) of the hits with ``lo <= position <= hi``."""
        return self._order[bisect_left(self._keys, lo) : bisect_right(self._keys, hi)]


class SpanSet:
    """Character spans, asked whether any of them overlaps a hit."""

    def __init__(self, hits: Sequence[Hit]) -> None:
        spans = sorted((h.start, h.end) for h in hits)
        self._starts = [start for start, _ in spans]
        # The furthest end among the spans up to each one (they are sorted by start).
        self._reach = list(accumulate((end for _, end in spans), max))

    def overlaps(self, hit: Hit) -> bool:
        before = bisect_left(self._starts, hit.end)  # spans that start before the hit ends
        return before > 0 and self._reach[before - 1] > hit.start
