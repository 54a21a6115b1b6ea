"""Exact MD5 lookup over sorted 128-bit keys (two uint64 columns), no dict per hash."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np
import numpy.typing as npt

from consentgate.banks.index.base import Rows


def md5_to_codes(hexes: Sequence[str]) -> npt.NDArray[np.uint64]:
    if not hexes:
        return np.zeros((0, 2), dtype=np.uint64)
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, dtype=">u8").reshape(len(hexes), 2).astype(np.uint64)


class Md5Index:
    """Equality search; ``radius`` is ignored (an MD5 matches exactly or not at all)."""

    def __init__(self, codes: npt.NDArray[np.uint64]) -> None:
        self.codes = np.ascontiguousarray(codes, dtype=np.uint64).reshape(-1, 2)
        self._order = np.lexsort((self.codes[:, 1], self.codes[:, 0]))
        self._hi = self.codes[self._order, 0]

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, query: npt.NDArray[np.uint64], radius: int = 0) -> tuple[Rows, Rows]:
        q = query.reshape(2)
        left, right = (
            np.searchsorted(self._hi, q[0], "left"),
            np.searchsorted(self._hi, q[0], "right"),
        )
        rows = self._order[left:right]
        rows = rows[self.codes[rows, 1] == q[1]].astype(np.int64)
        return rows, np.zeros(len(rows), dtype=np.int64)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self._order.nbytes + self._hi.nbytes)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "codes.npy", self.codes)

    @classmethod
    def load(cls, directory: Path) -> Self:
        return cls(np.load(directory / "codes.npy"))
