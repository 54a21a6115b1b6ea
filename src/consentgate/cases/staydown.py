"""Stay-down: a removed item's hashes go into the ``takedown`` bank, so copies stay down.

The law asks for more than removing one URL: "the same, or substantially the
same" content (OSA s.10(3A)) and "known identical copies" (TAKE IT DOWN Act,
223a(a)(3)). Putting the item's MD5 (identical files) and PDQ (re-encoded,
resized, mirrored copies) into a takedown bank makes the screen block every
later upload of them under R2, and retro-matching sweeps the content already
screened. A reversal withdraws the entry, so it stops matching at once.

Bank writes here share the transaction of the case event that causes them and
are told to a ``BankObserver``, as the bank service's own writes are: wired with
``AutomatedCases``, each is a ``bank_changed`` audit event and each copy the
sweep finds opens a ``retro_match`` case. Without one, ``ChainedBankEvents``
writes the same audit events (the findings stay listed by ``consentgate bank
findings``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from consentgate.banks import repository as repo
from consentgate.banks.observer import BankObserver, NoObserver
from consentgate.banks.records import Bank, BankKind, EntryStatus, NewEntry
from consentgate.banks.retro import retro_match
from consentgate.cases.automated import append_bank_change
from consentgate.cases.clock import Clock
from consentgate.cases.records import Case
from consentgate.errors import NotFound
from consentgate.records import utc_now

BANK = "stay-down"
"""The takedown bank removals feed (created on the first removal)."""


class ChainedBankEvents(NoObserver):
    """A BankObserver that only writes ``bank_changed`` events (no cases)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def bank_changed(
        self,
        conn: Connection,
        *,
        change: str,
        bank: Bank,
        entry_ids: Sequence[int],
        actor: str,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        append_bank_change(
            conn,
            at=self.clock(),
            change=change,
            bank=bank,
            entry_ids=entry_ids,
            actor=actor,
            reason=reason,
            data=data,
        )


def _bank(conn: Connection, observer: BankObserver, actor: str) -> Bank:
    # Case events lock the audit chain's head first, so two removals never race here.
    try:
        return repo.get_bank(conn, BANK)
    except NotFound:
        bank = repo.create_bank(
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
        observer.bank_changed(
            conn, change="bank_created", bank=bank, entry_ids=(), actor=actor, reason="stay-down"
        )
        return bank


def keep_down(
    conn: Connection, case: Case, observer: BankObserver, *, actor: str
) -> dict[str, Any] | None:
    """Bank the removed item's hashes; what the action's payload says of it (None: no hashes)."""
    item = case.item
    if item.md5 is None and item.pdq is None:
        return None
    bank = _bank(conn, observer, actor)
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
    observer.bank_changed(
        conn,
        change="entries_added",
        bank=bank,
        entry_ids=(entry_id,),
        actor=actor,
        reason="stay-down of a removed item",
        data={"case": case.id},
    )
    observer.found(conn, swept)
    return kept


def release(
    conn: Connection, case: Case, entry_id: int, observer: BankObserver, *, actor: str
) -> bool:
    """Withdraw a stay-down entry after a reversal; False when it was no longer active."""
    reason = f"removal reversed on appeal (case {case.id})"
    before = repo.get_entry(conn, entry_id)
    after = repo.set_status(
        conn, entry_id, EntryStatus.WITHDRAWN, reason, only_if=EntryStatus.ACTIVE
    )
    if before.status is after.status:
        return False
    observer.bank_changed(
        conn,
        change="entry_withdrawn",
        bank=repo.get_bank(conn, after.bank),
        entry_ids=(entry_id,),
        actor=actor,
        reason=reason,
        data={"case": case.id},
    )
    return True
