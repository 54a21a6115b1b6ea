"""Keyset paging of case lists: an opaque ``after`` cursor instead of an offset.

Why a cursor: a queue is read while it changes (a flood of notices lands
between two pages); an offset then skips or repeats cases, and reading deep
pages costs a scan. The cursor names the last case of a page by its sort key
(priority, deadline, id), so the next page starts right after it, whatever
was added before it.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from consentgate.cases.records import Case
from consentgate.errors import BadInput
from consentgate.records import Record
from consentgate.store.cases_tables import cases

MAX_PAGE = 1000
"""The most cases one page holds (``limit``)."""


class Cursor(Record):
    """Where a page ended: the sort key of its last case."""

    priority: int
    deadline_at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.priority, self.deadline_at.isoformat(), self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """The cursor a page answered with, or BadInput (422) for anything else."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            priority, deadline, case_id = json.loads(raw)
            return cls(priority=priority, deadline_at=datetime.fromisoformat(deadline), id=case_id)
        except (binascii.Error, ValueError, TypeError):
            raise BadInput("not a cursor this service gave out", field="after") from None

    def where(self) -> ColumnElement[bool]:
        """Cases sorted after this cursor (by priority, deadline, id)."""
        p, d, i = cases.c.priority, cases.c.deadline_at, cases.c.id
        return or_(
            p > self.priority,
            and_(p == self.priority, d > self.deadline_at),
            and_(p == self.priority, d == self.deadline_at, i > self.id),
        )


def cursor_of(case: Case, priority: int) -> Cursor:
    return Cursor(priority=priority, deadline_at=case.deadline_at, id=case.id)
