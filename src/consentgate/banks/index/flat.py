"""Brute-force exact search: every code's distance to the query, vectorised.

The baseline every other index is checked against, and the index for small
sets (the "recent" additions beside the main index, MD5 lists).
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import numpy.typing as npt

from consentgate.banks.index.base import Rows


class FlatIndex:
    """Exact Hamming (or, with radius 0, equality) search by scanning every code."""

    def __init__(self, codes: npt.NDArray[np.uint64]) -> None:
        self.codes = np.ascontiguousarray(codes, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, query: npt.NDArray[np.uint64], radius: int) -> tuple[Rows, Rows]:
        if not len(self.codes):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        dist = np.bitwise_count(self.codes ^ query.reshape(1, -1)).sum(axis=1, dtype=np.int64)
        rows = np.flatnonzero(dist <= radius)
        return rows, dist[rows]

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "codes.npy", self.codes)

    @classmethod
    def load(cls, directory: Path) -> Self:
        return cls(np.load(directory / "codes.npy"))
