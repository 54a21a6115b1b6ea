"""Screened-content hashes and retro-matching.

What a screen leaves behind is hashes, never the image. When an entry is added
later (a victim enrols a photo, a takedown is banked), already-screened content
whose stored hashes match it is found and recorded as a finding for the case
system to pick up: the upload that got through yesterday is not forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select

from consentgate.banks.index.codes import hex_to_codes
from consentgate.banks.index.pairs import pairs_within
from consentgate.banks.records import (
    PDQ_MIN_QUALITY,
    Bank,
    BankKind,
    NewEntry,
    RetroFinding,
)
from consentgate.banks.repository import utc
from consentgate.records import utc_now
from consentgate.store.banks_tables import banks, retro_findings, screened_content

CHUNK = 200_000


def record_screened(
    conn: Connection,
    *,
    decision_id: str,
    target: str,
    pdq: str | None,
    quality: int | None,
    md5: str | None,
    screened_at: datetime | None = None,
) -> int:
    values = {
        "decision_id": decision_id,
        "target": target,
        "pdq": pdq,
        "pdq_quality": quality,
        "md5": md5,
        "screened_at": screened_at or utc_now(),
    }
    stmt = insert(screened_content).values(**values).returning(screened_content.c.id)
    return int(conn.execute(stmt).scalar_one())


def _pdq_pairs(
    conn: Connection, entries: Sequence[tuple[int, NewEntry]], radius: int, since: datetime | None
) -> list[tuple[int, Row[Any], int, str]]:
    usable = [
        (entry_id, e.pdq)
        for entry_id, e in entries
        if e.pdq and (e.pdq_quality is None or e.pdq_quality >= PDQ_MIN_QUALITY)
    ]
    if not usable:
        return []
    codes = hex_to_codes([h for _, h in usable])
    found: list[tuple[int, Row[Any], int, str]] = []
    last = 0
    while True:
        query = (
            select(screened_content)
            .where(
                screened_content.c.id > last,
                screened_content.c.pdq.is_not(None),
                screened_content.c.pdq_quality >= PDQ_MIN_QUALITY,
            )
            .order_by(screened_content.c.id)
            .limit(CHUNK)
        )
        if since is not None:
            query = query.where(screened_content.c.screened_at >= since)
        rows = list(conn.execute(query))
        if not rows:
            return found
        base_rows, query_rows, dists = pairs_within(
            hex_to_codes([r.pdq for r in rows]), codes, radius
        )
        for b, q, d in zip(base_rows.tolist(), query_rows.tolist(), dists.tolist(), strict=True):
            found.append((usable[q][0], rows[b], d, "pdq"))
        last = int(rows[-1].id)


def _md5_pairs(
    conn: Connection, entries: Sequence[tuple[int, NewEntry]], since: datetime | None
) -> list[tuple[int, Row[Any], int, str]]:
    by_md5: dict[str, list[int]] = {}
    for entry_id, e in entries:
        if e.md5:
            by_md5.setdefault(e.md5, []).append(entry_id)
    found: list[tuple[int, Row[Any], int, str]] = []
    keys = sorted(by_md5)
    for start in range(0, len(keys), 500):
        query = select(screened_content).where(
            screened_content.c.md5.in_(keys[start : start + 500])
        )
        if since is not None:
            query = query.where(screened_content.c.screened_at >= since)
        for row in conn.execute(query):
            found.extend((entry_id, row, 0, "md5") for entry_id in by_md5[row.md5])
    return found


def retro_match(
    conn: Connection,
    bank: Bank,
    entries: Sequence[tuple[int, NewEntry]],
    *,
    since: datetime | None = None,
) -> list[RetroFinding]:
    """Record a finding for each stored screened hash within the bank's threshold."""
    if bank.kind is BankKind.NEGATIVE or not entries:
        return []
    pairs = _pdq_pairs(conn, entries, bank.threshold, since) + _md5_pairs(conn, entries, since)
    best: dict[tuple[int, int], tuple[Row[Any], int, str]] = {}
    for entry_id, row, distance, hash_type in pairs:
        key = (entry_id, int(row.id))
        if key not in best or distance < best[key][1]:
            best[key] = (row, distance, hash_type)
    if not best:
        return []
    existing = _existing(conn, [k[0] for k in best])
    now = utc_now()
    new = [(k, v) for k, v in sorted(best.items()) if k not in existing]
    findings: list[RetroFinding] = []
    for (entry_id, screened_id), (row, distance, hash_type) in new:
        values = {
            "entry_id": entry_id,
            "screened_id": screened_id,
            "bank_id": bank.id,
            "decision_id": row.decision_id,
            "hash_type": hash_type,
            "distance": distance,
            "found_at": now,
        }
        new_id = conn.execute(
            insert(retro_findings).values(**values).returning(retro_findings.c.id)
        ).scalar_one()
        findings.append(
            RetroFinding(
                id=int(new_id),
                bank=bank.name,
                bank_kind=bank.kind,
                target=row.target,
                **{k: v for k, v in values.items() if k != "bank_id"},
            )
        )
    return findings


def _existing(conn: Connection, entry_ids: Sequence[int]) -> set[tuple[int, int]]:
    ids = sorted(set(entry_ids))
    out: set[tuple[int, int]] = set()
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(retro_findings.c.entry_id, retro_findings.c.screened_id).where(
                retro_findings.c.entry_id.in_(ids[start : start + 500])
            )
        )
        out.update((int(e), int(s)) for e, s in rows)
    return out


def list_findings(
    conn: Connection,
    *,
    bank_id: int | None = None,
    limit: int = 100,
    after_id: int = 0,
    newest_first: bool = False,
) -> list[RetroFinding]:
    """Findings oldest first after ``after_id``, or (``newest_first``) the latest ``limit``."""
    order = retro_findings.c.id.desc() if newest_first else retro_findings.c.id
    query = (
        select(
            retro_findings,
            banks.c.name.label("bank_name"),
            banks.c.kind.label("kind"),
            screened_content.c.target,
        )
        .join(banks, banks.c.id == retro_findings.c.bank_id)
        .join(screened_content, screened_content.c.id == retro_findings.c.screened_id)
        .where(retro_findings.c.id > after_id)
        .order_by(order)
        .limit(limit)
    )
    if bank_id is not None:
        query = query.where(and_(retro_findings.c.bank_id == bank_id))
    return [
        RetroFinding(
            id=r.id,
            entry_id=r.entry_id,
            bank=r.bank_name,
            bank_kind=BankKind(r.kind),
            screened_id=r.screened_id,
            decision_id=r.decision_id,
            target=r.target,
            hash_type=r.hash_type,
            distance=r.distance,
            found_at=utc(r.found_at),
        )
        for r in conn.execute(query)
    ]
