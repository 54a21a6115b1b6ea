"""The two statistics the report needs: Wilson intervals and latency percentiles.

Why Wilson and not the normal approximation: many cells of the report are small
(a language with a dozen requests) or near 0 or 1 (a gate that refuses almost
everything harmful), where p ± 1.96·sqrt(p(1-p)/n) collapses to a zero-width
interval or leaves [0, 1]. Wilson's score interval stays inside [0, 1] and is
honest about small n (Wilson 1927; Brown, Cai & DasGupta 2001).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["Z95", "percentile", "wilson"]

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of ``successes`` out of ``n``; None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n}")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
