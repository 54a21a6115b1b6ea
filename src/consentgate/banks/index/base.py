"""The contract every static PDQ/MD5 index meets: exact range search over packed codes."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Self

import numpy as np
import numpy.typing as npt

Rows = npt.NDArray[np.int64]


class StaticIndex(Protocol):
    """An immutable index over ``codes``; rows are positions in the array it was built from.

    ``search`` must be exact: every row within ``radius`` and nothing beyond it.
    """

    codes: npt.NDArray[np.uint64]

    def __len__(self) -> int: ...

    def search(self, query: npt.NDArray[np.uint64], radius: int) -> tuple[Rows, Rows]:
        """(rows, distances) of every code within ``radius`` of the query."""
        ...

    @property
    def nbytes(self) -> int: ...

    def save(self, directory: Path) -> None: ...

    @classmethod
    def load(cls, directory: Path) -> Self: ...
