"""Bank alerts: what flood protection raises for entries that must keep matching.

An entry of a protected kind (``ncii``, ``csam``, ``consent``, ``takedown``)
that floods is never paused (see ``banks.flood``): the flood is most likely the
attack the entry exists to stop. Instead the worker whose match passes the
limit writes an alert here, at most once per entry per window across all
workers, for a reviewer to look at (``consentgate bank alerts``); casework
opens cases from these rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import insert, select

from consentgate.banks.flood import FloodEvent
from consentgate.banks.observer import BankObserver, NoObserver
from consentgate.records import Record, utc_now
from consentgate.store.banks_tables import bank_alerts, bank_entries, banks
from consentgate.store.database import Database

log = logging.getLogger(__name__)


class BankAlert(Record):
    """One alert on a bank entry."""

    id: int
    entry_id: int
    bank: str
    bank_kind: str
    kind: str = Field(description="what raised it: 'flood'")
    reason: str
    matches: int
    window_s: int
    raised_at: datetime


class AlertLog:
    """Writes and lists bank alerts in the store."""

    def __init__(self, db: Database, observer: BankObserver | None = None) -> None:
        self.db = db
        self.observer: BankObserver = observer or NoObserver()

    def record_flood(self, event: FloodEvent) -> None:
        """Keep a flood alert (the matcher's ``on_alert`` handler)."""
        with self.db.write() as conn:
            bank_id = conn.execute(
                select(bank_entries.c.bank_id).where(bank_entries.c.id == event.entry_id)
            ).scalar_one_or_none()
            if bank_id is None:  # deleted meanwhile: nothing left to review
                return
            conn.execute(
                insert(bank_alerts).values(
                    entry_id=event.entry_id,
                    bank_id=bank_id,
                    kind="flood",
                    reason=event.reason,
                    matches=event.matches,
                    window_s=round(event.window_s),
                    raised_at=utc_now(),
                )
            )
            self.observer.alerted(conn, event)

    def list(
        self, *, limit: int = 100, after_id: int = 0, newest_first: bool = False
    ) -> Sequence[BankAlert]:
        """Alerts oldest first, ``limit`` at a time after ``after_id``; or the latest ``limit``."""
        order = bank_alerts.c.id.desc() if newest_first else bank_alerts.c.id
        query = (
            select(bank_alerts, banks.c.name.label("bank"), banks.c.kind.label("bank_kind"))
            .join(banks, banks.c.id == bank_alerts.c.bank_id)
            .where(bank_alerts.c.id > after_id)
            .order_by(order)
            .limit(limit)
        )
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            BankAlert(
                id=row["id"],
                entry_id=row["entry_id"],
                bank=row["bank"],
                bank_kind=row["bank_kind"],
                kind=row["kind"],
                reason=row["reason"],
                matches=row["matches"],
                window_s=row["window_s"],
                raised_at=row["raised_at"],
            )
            for row in rows
        ]
