"""Cases the system opens itself, and bank changes written into the audit chain.

Where the policy says a person must look, a case opens in the same transaction
as what caused it (so a crash leaves both or neither):

* a screen decided ``review``, or was blocked by one rule while another asked for a
  person (e.g. R11: an uncertain age beside an undressing edit that R3 blocks: whether
  it is a child decides whether a report is due) → an ``automated_review`` case;
* a screen escalated under R1 → an ``automated_escalation`` case in the child-safety
  queue, with an ``escalated`` event;
* already-screened content matched a bank entry added later → a ``retro_match`` case
  per finding;
* a protected bank entry passed its flood limit → a ``bank_alert`` case.

Every bank change (bank created or changed, entries added, withdrawn, deleted,
quarantined, reinstated) becomes a ``bank_changed`` event of the audit chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from consentgate.audit import chain
from consentgate.banks.flood import FloodEvent
from consentgate.banks.records import Bank, RetroFinding
from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.records import AUTOMATED, Case, CaseKind, EventKind, Item
from consentgate.cases.service import CaseService
from consentgate.records import Decision, Target, Verdict

MAX_LISTED_ENTRIES = 1000
"""Entry ids named in one bank_changed event; a larger import lists its count only."""


def append_bank_change(
    conn: Connection,
    *,
    at: datetime,
    change: str,
    bank: Bank,
    entry_ids: Sequence[int],
    actor: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """One ``bank_changed`` event of the audit chain (the one shape every writer uses)."""
    listed = list(entry_ids)
    details: dict[str, Any] = {
        "change": change,
        "bank": bank.name,
        "bank_kind": bank.kind.value,
        "entries": len(listed),
    }
    if len(listed) <= MAX_LISTED_ENTRIES:
        details["entry_ids"] = listed
    chain.append(
        conn,
        at=at,
        actor=actor,
        kind=EventKind.BANK_CHANGED,
        reason=reason,
        data=details | (data or {}),
    )


class ImageRef(Protocol):
    """The hashes of one screened image (structural: the service's ImageHashes fits)."""

    @property
    def target(self) -> Target: ...

    @property
    def md5(self) -> str: ...

    @property
    def pdq(self) -> str | None: ...

    @property
    def pdq_quality(self) -> int | None: ...


class AutomatedCases:
    """Opens cases from automated outcomes; a ``BankObserver`` for the bank service."""

    def __init__(self, cases: CaseService, vault: EvidenceVault | None = None) -> None:
        self.cases = cases
        self.vault = vault

    # -- screens ---------------------------------------------------------------
    def screened(
        self,
        conn: Connection,
        decision: Decision,
        images: Sequence[ImageRef],
        evidence: Sequence[tuple[bytes, str]] = (),
    ) -> Case | None:
        """Open a case for a decision that needs a person (a review reason, or R1 escalation).

        For an escalation, ``evidence`` (image bytes and media type) is sealed
        in the vault, as child-safety law requires; otherwise it is dropped.
        """
        wants_person = any(r.verdict is Verdict.REVIEW for r in decision.reasons)
        if not decision.escalate and not wants_person:
            return None
        kind = CaseKind.AUTOMATED_ESCALATION if decision.escalate else CaseKind.AUTOMATED_REVIEW
        shown = images[-1] if images else None  # the output when there is one
        item = Item(
            decision_id=decision.id,
            md5=shown.md5 if shown else None,
            pdq=shown.pdq if shown else None,
            pdq_quality=shown.pdq_quality if shown else None,
        )
        rules = [r.rule for r in decision.reasons]
        case = self.cases.open(
            kind,
            item,
            reason=f"screen decided {decision.decision.value} ({', '.join(rules)})",
            data={"decision": decision.decision.value, "rules": rules},
            conn=conn,
        )
        if decision.escalate:
            case = self.cases.record(
                case.id,
                EventKind.ESCALATED,
                actor=AUTOMATED,
                reason="child-safety escalation (R1)",
                conn=conn,
            )
            if self.vault is not None:
                for data, media_type in evidence:
                    self.vault.keep(conn, case.id, data, media_type, actor=AUTOMATED)
                case = self.cases.get_in(conn, case.id)
        return case

    # -- BankObserver ----------------------------------------------------------
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
            at=self.cases.clock(),
            change=change,
            bank=bank,
            entry_ids=entry_ids,
            actor=actor,
            reason=reason,
            data=data,
        )

    def found(self, conn: Connection, findings: Sequence[RetroFinding]) -> None:
        for finding in findings:
            self.cases.open(
                CaseKind.RETRO_MATCH,
                Item(decision_id=finding.decision_id),
                reason=f"screened content matches entry {finding.entry_id} of {finding.bank}",
                data={
                    "bank": finding.bank,
                    "bank_kind": finding.bank_kind.value,
                    "entry_id": finding.entry_id,
                    "hash_type": finding.hash_type,
                    "distance": finding.distance,
                    "target": finding.target,
                },
                conn=conn,
            )

    def alerted(self, conn: Connection, event: FloodEvent) -> None:
        self.cases.open(
            CaseKind.BANK_ALERT,
            Item(),
            reason=event.reason,
            data={"bank": event.bank, "bank_kind": event.bank_kind, "entry_id": event.entry_id},
            conn=conn,
        )
