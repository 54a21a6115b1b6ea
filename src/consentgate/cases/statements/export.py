"""Exports of statements of reasons: JSON lines, and request bodies of at most 100.

Every statement is checked (``validate.StatementChecker``: the database's rules, no
personal data, no ``puid`` twice) before it is written out; the first that fails stops
the export with ``InvalidStatement``, which names the statement and the field. A JSON
line is one body for ``POST /api/v1/statement``; a batch is one body for
``POST /api/v1/statements`` (``{"statements": [...]}``, at most 100, all refused by the
database if one is bad, which is why each is checked first).

Statements are read page by page (``store.rows``): no cap on how many, and memory
holds one page and the set of ``puid``s seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from consentgate.cases.statements import store
from consentgate.cases.statements.store import Row
from consentgate.cases.statements.tdb import MAX_BATCH
from consentgate.cases.statements.validate import Fault, StatementChecker
from consentgate.errors import BadInput
from consentgate.store.database import Database


class InvalidStatement(BadInput):
    """A statement that the database would refuse or that holds personal data."""

    title = "Invalid statement of reasons"

    def __init__(self, statement_id: str, faults: list[Fault]) -> None:
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        super().__init__(f"statement {statement_id}: {faults[0]}{more}", field=faults[0].field)
        self.statement_id = statement_id
        self.faults = faults


def checked(rows: Iterable[Row]) -> Iterator[Row]:
    """``rows``, each checked before it is handed on (InvalidStatement at the first fault)."""
    checker = StatementChecker()
    for row in rows:
        faults = checker.check(row.body)
        if faults:
            raise InvalidStatement(row.id, faults)
        yield row


def line(body: dict[str, Any]) -> str:
    """One statement as a JSON line (with its newline)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"


def json_lines(db: Database, start: date | None, end: date | None) -> Iterator[str]:
    """Every statement applied from ``start`` to ``end`` (inclusive), checked, as JSON lines."""
    for row in checked(store.rows(db, start, end)):
        yield line(row.body)


def batches(rows: Iterable[Row], size: int = MAX_BATCH) -> Iterator[dict[str, Any]]:
    """Bodies of ``POST /api/v1/statements``: ``{"statements": [...]}`` of at most ``size``."""
    if not 1 <= size <= MAX_BATCH:
        raise BadInput(f"a batch holds 1 to {MAX_BATCH} statements", field="size")
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row.body)
        if len(batch) == size:
            yield {"statements": batch}
            batch = []
    if batch:
        yield {"statements": batch}


def validate_all(db: Database, start: date | None, end: date | None) -> int:
    """Check every statement of the range (InvalidStatement at the first fault); the count."""
    return sum(1 for _ in checked(store.rows(db, start, end)))


def count(db: Database, start: date | None, end: date | None) -> int:
    """How many statements the range holds (for a progress bar)."""
    return store.count(db, start, end)
