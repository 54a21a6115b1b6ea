"""What a bank change tells the rest of the system, inside the change's own transaction.

Why an interface here: hash banks sit on the detection side and must not import
casework, yet every bank change belongs in the audit chain and every retro-match
finding should open a case, in the same transaction as the change (so a crash
leaves both or neither). The service that wires the system passes an observer
that does that (``consentgate.cases.bank_events``); the default does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from consentgate.banks.flood import FloodEvent
from consentgate.banks.records import Bank, RetroFinding


class BankObserver(Protocol):
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
        """A bank or some of its entries changed (created, added, withdrawn, …)."""

    def found(self, conn: Connection, findings: Sequence[RetroFinding]) -> None:
        """Already-screened content matched entries just added."""

    def alerted(self, conn: Connection, event: FloodEvent) -> None:
        """A protected entry passed its flood limit (it keeps matching)."""


class NoObserver:
    """Tells nobody (tools and tests that need no audit trail)."""

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
        return None

    def found(self, conn: Connection, findings: Sequence[RetroFinding]) -> None:
        return None

    def alerted(self, conn: Connection, event: FloodEvent) -> None:
        return None
