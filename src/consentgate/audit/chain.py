"""The audit hash chain: append one event, verify every link, export for a third party.

The algorithm (a third party can re-verify an export with nothing else):

1. Each event is the JSON object of its fields ``seq``, ``at`` (UTC, ISO 8601
   with microseconds and ``Z``), ``actor``, ``kind``, ``case_id``, ``reason``
   and ``data``.
2. Its canonical form is that object as UTF-8 JSON with keys sorted, no spaces
   (``separators=(",", ":")``) and non-ASCII characters kept as they are.
3. ``hash = sha256(prev_hash_hex_ascii + canonical_bytes)`` in lower-case hex,
   where ``prev_hash`` is the previous event's hash, and 64 zeros for ``seq`` 1.
4. ``seq`` runs 1, 2, 3, … with no gap.

So an edited row breaks its own hash, an inserted or deleted row breaks ``seq``
or the next ``prev_hash``, and reordered rows break the links. A deleted tail is
caught by the head row, which names the last link.

The limit: whoever can write the database can recompute every hash after an edit
and move the head, and this check then passes. Signed checkpoints held outside
the store (``consentgate.audit.checkpoint``) catch that; on PostgreSQL, triggers
refuse UPDATE and DELETE of events (migration 0012).

Appends lock the head row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has one
writer), so concurrent writers extend the chain one at a time and never fork it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update

from consentgate.cases.records import CaseEvent, EventKind
from consentgate.errors import ConsentGateError
from consentgate.store.cases_tables import audit_events, audit_head

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor", "kind", "case_id", "reason", "data")


def instant(at: datetime) -> str:
    """``at`` as the chain writes it: UTC, microseconds, ``Z`` (naive means UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def hashed_fields(
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    case_id: str | None,
    reason: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": instant(at),
        "actor": actor,
        "kind": kind,
        "case_id": case_id,
        "reason": reason,
        "data": data,
    }


def append(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    kind: EventKind,
    case_id: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add one event at the end of the chain, in ``conn``'s transaction."""
    data = json.loads(canonical(data or {}))  # JSON-safe, exactly as it will be read back
    head = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    seq = int(head.seq) + 1
    at = at.astimezone(UTC)
    fields = hashed_fields(seq, at, actor, kind.value, case_id, reason, data)
    digest = link(head.hash, fields)
    conn.execute(
        insert(audit_events).values(
            seq=seq,
            at=at,
            actor=actor,
            kind=kind.value,
            case_id=case_id,
            reason=reason,
            data=data,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest))
    return CaseEvent(
        seq=seq,
        at=at,
        actor=actor,
        kind=kind,
        case_id=case_id,
        reason=reason,
        data=data,
        prev_hash=head.hash,
        hash=digest,
    )


def event_of(row: Any) -> CaseEvent:
    return CaseEvent(
        seq=row.seq,
        at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
        actor=row.actor,
        kind=EventKind(row.kind),
        case_id=row.case_id,
        reason=row.reason,
        data=row.data,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def events(
    conn: Connection, *, case_id: str | None = None, after: int = 0, batch: int = 5000
) -> Iterator[CaseEvent]:
    """Events in chain order (of one case, or all), read in batches."""
    while True:
        query = select(audit_events).where(audit_events.c.seq > after)
        if case_id is not None:
            query = query.where(audit_events.c.case_id == case_id)
        rows = conn.execute(query.order_by(audit_events.c.seq).limit(batch)).all()
        for row in rows:
            yield event_of(row)
        if len(rows) < batch:
            return
        after = rows[-1].seq


class ChainBroken(ConsentGateError):
    """The audit chain does not verify; the message names the first bad event."""

    exit_code = 1
    title = "Audit chain broken"


@dataclass(frozen=True, slots=True)
class Verified:
    events: int
    head: str


class Linked(Protocol):
    """What verification reads of an event: a CaseEvent, a stored row, an exported line."""

    seq: int
    at: datetime
    actor: str
    kind: Any  # EventKind, or its value as stored
    case_id: str | None
    reason: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


def verify_events(chain: Iterable[Linked], head: tuple[int, str] | None = None) -> Verified:
    """Check every link; raise ChainBroken naming the first bad event."""
    prev, expected_seq, count = GENESIS, 1, 0
    for event in chain:
        if event.seq != expected_seq:
            raise ChainBroken(
                f"event {expected_seq} is missing or out of order: "
                f"found event {event.seq} in its place"
            )
        if event.prev_hash != prev:
            raise ChainBroken(f"event {event.seq} does not link to event {event.seq - 1}")
        fields = hashed_fields(
            event.seq,
            event.at,
            event.actor,
            getattr(event.kind, "value", event.kind),
            event.case_id,
            event.reason,
            event.data,
        )
        if link(prev, fields) != event.hash:
            raise ChainBroken(f"event {event.seq} was altered: its hash does not match")
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    if head is not None and (head[0] != count or head[1] != prev):
        raise ChainBroken(
            f"the chain ends at event {count} but its head names event {head[0]}: "
            "events at the end were removed"
        )
    return Verified(events=count, head=prev)


def stored_rows(conn: Connection, *, upto: int | None = None, batch: int = 5000) -> Iterator[Any]:
    """Stored rows in chain order, as they are (no records built: verification is hot)."""
    after = 0
    while True:
        query = select(audit_events).where(audit_events.c.seq > after)
        if upto is not None:
            query = query.where(audit_events.c.seq <= upto)
        rows = conn.execute(query.order_by(audit_events.c.seq).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


def verify(conn: Connection) -> Verified:
    row = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    return verify_events(stored_rows(conn), head=(int(row.seq), row.hash))
