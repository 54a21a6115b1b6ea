"""All pairs within a distance between two sets of codes (exact; faiss flat range search).

Used for retro-matching, where a batch of new entries is compared against stored
screened hashes: one pass of an exact flat scan, no index to maintain.
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

from consentgate.banks.index.codes import Codes

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def pairs_within(base: Codes, queries: Codes, radius: int) -> Pairs:
    """(base_row, query_row, distance) for every pair at Hamming distance ≤ radius."""
    empty = np.zeros(0, dtype=np.int64)
    if len(base) == 0 or len(queries) == 0:
        return empty, empty, empty
    index = faiss.IndexBinaryFlat(256)
    index.add(np.ascontiguousarray(base).view(np.uint8).reshape(-1, 32))
    q = np.ascontiguousarray(queries).view(np.uint8).reshape(-1, 32)
    lims, dist, ids = index.range_search(q, radius + 1)  # faiss radius is strict
    query_rows = np.repeat(np.arange(len(queries), dtype=np.int64), np.diff(lims).astype(np.int64))
    return ids.astype(np.int64), query_rows, dist.astype(np.int64)
