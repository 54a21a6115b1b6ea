"""The PDQ and MD5 live sets a matcher holds, how they are built from store rows,
and how they persist (a directory of .npy arrays, written atomically)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from consentgate.banks.index.base import StaticIndex
from consentgate.banks.index.codes import hex_to_codes
from consentgate.banks.index.flat import FlatIndex
from consentgate.banks.index.live import LiveSet
from consentgate.banks.index.md5 import Md5Index, md5_to_codes
from consentgate.banks.index.mih import MultiIndexHash
from consentgate.banks.records import PDQ_MIN_QUALITY

FLAT_BELOW = 4096
"""Under this many rows a flat scan is as fast as multi-index hashing."""

SNAPSHOT_VERSION = 1


def build_pdq(codes: npt.NDArray[np.uint64]) -> StaticIndex:
    if len(codes) < FLAT_BELOW:
        return FlatIndex(codes)
    return MultiIndexHash.build(codes)


def load_pdq(directory: Path) -> StaticIndex:
    if (directory / "plan.json").exists():
        return MultiIndexHash.load(directory)
    return FlatIndex.load(directory)


@dataclass
class Indexes:
    pdq: LiveSet
    md5: LiveSet
    cursor: int  # the last change-log seq applied
    store: str = ""  # repository.store_identity of the store it was built from

    @classmethod
    def empty(cls, cursor: int = 0) -> Indexes:
        return cls(LiveSet(build_pdq, 4), LiveSet(Md5Index, 2), cursor)

    def apply(self, rows: Sequence[Any]) -> None:
        """Bring entries to their current state: active rows matchable, the rest not."""
        ids = np.array([r.id for r in rows], dtype=np.int64)
        if not len(ids):
            return
        self.pdq.remove(ids)
        self.md5.remove(ids)
        pdq_rows = [r for r in rows if r.status == "active" and _pdq_ok(r)]
        md5_rows = [r for r in rows if r.status == "active" and r.md5]
        self.pdq.upsert(*_arrays(pdq_rows), hex_to_codes([r.pdq for r in pdq_rows]))
        self.md5.upsert(*_arrays(md5_rows), md5_to_codes([r.md5 for r in md5_rows]))

    @classmethod
    def from_rows(cls, batches: Iterable[Sequence[Any]], cursor: int) -> Indexes:
        """Build from every active row (one pass, arrays only)."""
        ids: list[npt.NDArray[np.int64]] = []
        banks: list[npt.NDArray[np.int32]] = []
        pdq: list[npt.NDArray[np.uint64]] = []
        m_ids, m_banks, md5 = [], [], []
        for rows in batches:
            p = [r for r in rows if _pdq_ok(r)]
            m = [r for r in rows if r.md5]
            i, b = _arrays(p)
            ids.append(i)
            banks.append(b)
            pdq.append(hex_to_codes([r.pdq for r in p]))
            i, b = _arrays(m)
            m_ids.append(i)
            m_banks.append(b)
            md5.append(md5_to_codes([r.md5 for r in m]))
        out = cls.empty(cursor)
        if ids:
            out.pdq.upsert(np.concatenate(ids), np.concatenate(banks), np.concatenate(pdq))
            out.md5.upsert(np.concatenate(m_ids), np.concatenate(m_banks), np.concatenate(md5))
            out.pdq = out.pdq.compacted()
            out.md5 = out.md5.compacted()
        return out

    def save(self, directory: Path) -> None:
        """Write a compacted snapshot next to ``directory`` and rename it into place."""
        tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        for name, live in (("pdq", self.pdq), ("md5", self.md5)):
            (live if live.is_compact else live.compacted()).save(tmp / name)
        (tmp / "meta.json").write_text(
            json.dumps({"version": SNAPSHOT_VERSION, "cursor": self.cursor, "store": self.store})
        )
        old = directory.with_name(directory.name + f".old{os.getpid()}")
        try:
            if directory.exists():
                directory.rename(old)
            tmp.rename(directory)
        finally:
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> Indexes | None:
        try:
            meta = json.loads((directory / "meta.json").read_text())
            if meta.get("version") != SNAPSHOT_VERSION:
                return None
            pdq = LiveSet.load(directory / "pdq", build_pdq, load_pdq, 4)
            md5 = LiveSet.load(directory / "md5", Md5Index, Md5Index.load, 2)
        except (OSError, ValueError, KeyError):
            return None
        return cls(pdq, md5, int(meta["cursor"]), str(meta.get("store", "")))


def _pdq_ok(row: Any) -> bool:
    """Has a PDQ worth matching: low-quality hashes are never indexed."""
    return bool(row.pdq) and (row.pdq_quality is None or row.pdq_quality >= PDQ_MIN_QUALITY)


def _arrays(rows: Sequence[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    return (
        np.array([r.id for r in rows], dtype=np.int64),
        np.array([r.bank_id for r in rows], dtype=np.int32),
    )
