"""The state file: an append-only JSONL of finished requests, beside the report.

Why append-only and one line per request: an assessment of a slow endpoint runs
for hours, and an interruption (Ctrl-C, a crash, a lost machine) must cost at
most the request in flight. Each finished request is one line, flushed and
synced before the next is sent; a rerun reads them back and skips those ids.
The first line names the run (suite, seed, the suite's fingerprint, target), so
a rerun with other options is refused rather than mixed into one report. A last
line cut short by a crash is dropped and rewritten; damage anywhere else is an
error, never silently skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from consentgate.assess.outcome import ItemResult
from consentgate.errors import BadInput

__all__ = ["StateFile", "state_path"]

FORMAT = "consentgate-assess-state/1"


def state_path(out: Path) -> Path:
    """``report.json`` and ``report.html`` share ``report.state.jsonl``."""
    return out.with_name(out.stem + ".state.jsonl")


class StateFile:
    """Finished results of one run, read at open and appended to as requests finish."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = {"format": FORMAT, **header}
        self.results: dict[str, ItemResult] = {}
        self._handle: IO[str] | None = None

    def open(self, *, fresh: bool = False) -> StateFile:
        if fresh or not self.path.exists():
            self._write_header()
        else:
            self._read()
        self._handle = self.path.open("a", encoding="utf-8")
        return self

    def _write_header(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(self.header, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _read(self) -> None:
        raw = self.path.read_bytes()
        complete, _, torn = raw.rpartition(b"\n")
        if torn:  # a line cut short by a crash: drop it, the request is sent again
            with self.path.open("r+b") as handle:
                handle.truncate(len(complete) + 1 if complete else 0)
        lines = complete.decode("utf-8", "replace").splitlines() if complete else []
        if not lines:
            self._write_header()
            return
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if header != self.header:
            raise BadInput(
                f"{self.path} belongs to another run (other suite, seed, target or version); "
                "rerun with --fresh to start over, or choose another --out"
            )
        for number, line in enumerate(lines[1:], start=2):
            try:
                result = ItemResult.model_validate_json(line)
            except ValidationError:
                raise BadInput(
                    f"{self.path} line {number} is damaged; rerun with --fresh"
                ) from None
            self.results[result.id] = result

    def append(self, result: ItemResult) -> None:
        assert self._handle is not None, "open() the state file first"
        self._handle.write(result.model_dump_json() + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.results[result.id] = result

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
