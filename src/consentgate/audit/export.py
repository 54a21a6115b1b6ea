"""Export a stretch of the audit chain as JSON lines, and verify such an export.

An export is what an auditor or regulator takes away (UK OSA s.23 records):
one JSON object per line with every hashed field (``seq``, ``at``, ``actor``,
``kind``, ``case_id``, ``reason``, ``data``) plus ``prev_hash`` and ``hash``,
in chain order. ``at`` is written exactly as it was hashed, so the algorithm in
``consentgate.audit.chain`` re-computes every hash from the line alone.

Why a contiguous segment: an export of a time range starts at the first event
at or after ``start`` and ends at the last event before ``end``, and includes
every event between them in ``seq`` order, so its links never skip. Its first
line carries the ``prev_hash`` of the event before it, so a range that starts
mid-chain still verifies as a segment: ``verify_export`` trusts that first
``prev_hash`` (compare it with the ``hash`` of the previous export's last line
to join two exports), and checks every link from there on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from consentgate.audit.chain import GENESIS, HASHED_FIELDS, ChainBroken, event_of, instant, link
from consentgate.cases.records import CaseEvent
from consentgate.errors import BadInput
from consentgate.store.cases_tables import audit_events
from consentgate.store.database import Database

EXPORTED_FIELDS = (*HASHED_FIELDS, "prev_hash", "hash")
BATCH = 2000


def line_of(event: CaseEvent) -> str:
    """One event as an export line (no trailing newline)."""
    fields: dict[str, Any] = {
        "seq": event.seq,
        "at": instant(event.at),
        "actor": event.actor,
        "kind": event.kind.value,
        "case_id": event.case_id,
        "reason": event.reason,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def span(db: Database, start: datetime, end: datetime) -> tuple[int, int] | None:
    """The first and last ``seq`` of the events in ``[start, end)``, or None if there are none."""
    if start.tzinfo is None or end.tzinfo is None:
        raise BadInput("the range needs instants with a time zone", field="from")
    if end <= start:
        raise BadInput("the end of the range must come after its start", field="to")
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # SQLite compares UTC text
    seq = audit_events.c.seq
    in_range = (audit_events.c.at >= start) & (audit_events.c.at < end)
    with db.read() as conn:
        row = conn.execute(select(func.min(seq), func.max(seq)).where(in_range)).one()
    if row[0] is None:
        return None
    return int(row[0]), int(row[1])


def export_lines(db: Database, start: datetime, end: datetime) -> Iterator[str]:
    """Export lines (each ending in a newline) of the events in ``[start, end)``.

    Bad ranges raise before the first line. Events are read in batches, each
    in its own short read, so a long export holds no connection while it is sent.
    """
    bounds = span(db, start, end)
    return _lines(db, bounds) if bounds is not None else iter(())


def _lines(db: Database, bounds: tuple[int, int]) -> Iterator[str]:
    first, last = bounds
    after = first - 1
    while after < last:
        query = (
            select(audit_events)
            .where(audit_events.c.seq > after, audit_events.c.seq <= last)
            .order_by(audit_events.c.seq)
            .limit(BATCH)
        )
        with db.read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield line_of(event_of(row)) + "\n"
        after = int(rows[-1].seq)


@dataclass(frozen=True, slots=True)
class Segment:
    """A verified export: how many events, which ``seq`` span, and its two ends' hashes."""

    events: int
    first_seq: int | None
    last_seq: int | None
    prev_hash: str | None
    head: str | None

    @property
    def from_genesis(self) -> bool:
        return self.first_seq == 1 and self.prev_hash == GENESIS


def verify_export(lines: Iterable[str]) -> Segment:
    """Check every line's hash and every link; raise ChainBroken naming the first bad event.

    The first event's ``prev_hash`` is taken as given (it links to an event
    outside the export); from the second on, each must name its predecessor's
    ``hash`` and follow its ``seq``. Blank lines are ignored.
    """
    count, first_seq, first_prev = 0, None, None
    prev: str | None = None
    seq: int | None = None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        event = _parse(text, number)
        if seq is None:
            first_seq, first_prev = event["seq"], event["prev_hash"]
            if event["seq"] == 1 and event["prev_hash"] != GENESIS:
                raise ChainBroken("event 1 does not start the chain: its prev_hash is not zeros")
        else:
            if event["seq"] != seq + 1:
                raise ChainBroken(
                    f"event {seq + 1} is missing or out of order: "
                    f"found event {event['seq']} in its place"
                )
            if event["prev_hash"] != prev:
                raise ChainBroken(f"event {event['seq']} does not link to event {seq}")
        fields = {name: event[name] for name in HASHED_FIELDS}
        if link(event["prev_hash"], fields) != event["hash"]:
            raise ChainBroken(f"event {event['seq']} was altered: its hash does not match")
        seq, prev, count = event["seq"], event["hash"], count + 1
    return Segment(events=count, first_seq=first_seq, last_seq=seq, prev_hash=first_prev, head=prev)


def _parse(text: str, number: int) -> dict[str, Any]:
    try:
        event = json.loads(text)
    except ValueError:
        raise ChainBroken(f"line {number} is not JSON") from None
    if not isinstance(event, dict) or set(event) != set(EXPORTED_FIELDS):
        raise ChainBroken(f"line {number} is not an audit event (it needs {EXPORTED_FIELDS})")
    if not isinstance(event["seq"], int) or isinstance(event["seq"], bool):
        raise ChainBroken(f"line {number}: seq is not an integer")
    for name in ("prev_hash", "hash"):
        if not isinstance(event[name], str) or not event[name].isascii():
            raise ChainBroken(f"line {number}: {name} is not a hex digest")
    return event
