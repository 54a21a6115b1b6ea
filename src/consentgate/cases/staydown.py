"""Stay-down: a removed item's hashes go into the ``takedown`` bank, so copies stay down.

The law asks for more than removing one URL: "the same, or substantially the
same" content (OSA s.10(3A)) and "known identical copies" (TAKE IT DOWN Act,
223a(a)(3)). Putting the item's MD5 (identical files) and PDQ (re-encoded,
resized, mirrored copies) into a takedown bank makes the screen block every
later upload of them under R2, and retro-matching sweeps the content already
screened. A reversal withdraws the entry, so it stops matching at once.

Bank writes here share the transaction of the case event that causes them, and
each is an audit event of its own (``bank_changed``, about the bank; the case's
own events are unchanged).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from consentgate.audit import chain
from consentgate.banks import repository as repo
from consentgate.banks.records import Bank, BankKind, EntryStatus, NewEntry
from consentgate.banks.retro import retro_match
from consentgate.cases.records import Case, EventKind
from consentgate.errors import NotFound
from consentgate.records import utc_now

BANK = "stay-down"
"""The takedown bank removals feed (created on the first removal)."""


def _bank(conn: Connection) -> Bank:
    # Case events lock the audit chain's head first, so two removals never race here.
    try:
        return repo.get_bank(conn, BANK)
    except NotFound:
        return repo.create_bank(
            conn,
            {
                "name": BANK,
                "kind": BankKind.TAKEDOWN.value,
                "threshold": 31,
                "enabled": True,
                "description": "hashes of removed items: copies and near-copies stay down",
                "flood_max_matches": None,
                "flood_window_s": 60,
                "created_at": utc_now(),
            },
        )


def keep_down(conn: Connection, case: Case, *, actor: str, at: datetime) -> dict[str, Any] | None:
    """Bank the removed item's hashes; what the action's payload says of it (None: no hashes)."""
    item = case.item
    if item.md5 is None and item.pdq is None:
        return None
    bank = _bank(conn)
    entry = NewEntry(
        pdq=item.pdq,
        pdq_quality=item.pdq_quality if item.pdq is not None else None,
        md5=item.md5,
        source=f"case:{case.id}",
        external_id=case.id,
        added_by=actor[:200],
        note="stay-down of a removed item",
    )
    (entry_id,) = repo.add_entries(conn, bank, [entry])
    swept = retro_match(conn, bank, [(entry_id, entry)])
    kept = {"bank": bank.name, "entry_id": entry_id, "copies_found": len(swept)}
    chain.append(
        conn,
        at=at,
        actor=actor,
        kind=EventKind.BANK_CHANGED,
        reason="stay-down of a removed item",
        data={"change": "entries_added", "case": case.id, "entry_ids": [entry_id], **kept},
    )
    return kept


def release(conn: Connection, case: Case, entry_id: int, *, actor: str, at: datetime) -> bool:
    """Withdraw a stay-down entry after a reversal; False when it was no longer active."""
    reason = f"removal reversed on appeal (case {case.id})"
    before = repo.get_entry(conn, entry_id)
    after = repo.set_status(
        conn, entry_id, EntryStatus.WITHDRAWN, reason, only_if=EntryStatus.ACTIVE
    )
    if before.status is after.status:
        return False
    chain.append(
        conn,
        at=at,
        actor=actor,
        kind=EventKind.BANK_CHANGED,
        reason=reason,
        data={"change": "entry_withdrawn", "case": case.id, "bank": BANK, "entry_ids": [entry_id]},
    )
    return True
