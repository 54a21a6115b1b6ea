"""Builds the bank service and matcher from settings (used by the CLI and the HTTP service)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from consentgate.banks.alerts import AlertLog
from consentgate.banks.flood import FloodGuard
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.observer import BankObserver
from consentgate.banks.service import BankService
from consentgate.counters.choose import open_flood_log
from consentgate.images.limits import ImageLimits
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import is_up_to_date, upgrade


@dataclass
class Banks:
    db: Database
    service: BankService
    matcher: BankMatcher
    alerts: AlertLog

    def close(self) -> None:
        self.matcher.close()
        self.matcher.flood.log.close()
        self.db.dispose()


def store_exists(url: str) -> bool:
    """PostgreSQL is assumed present; a SQLite store exists once its file does.

    Screening a prompt must not create an empty database file as a side effect.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    return bool(parsed.database) and Path(str(parsed.database)).exists()


def open_banks(
    settings: Settings,
    *,
    db: Database | None = None,
    start: bool = False,
    observer: BankObserver | None = None,
) -> Banks:
    """The service and matcher over the configured store (migrated first).

    ``start`` loads the index now and keeps it current in a background thread
    (long-running workers); otherwise it loads on the first match.
    """
    db = db or Database(settings.database_url, busy_timeout_s=settings.store_busy_timeout_s)
    if not is_up_to_date(db):  # workers of a migrated store skip Alembic entirely
        upgrade(db)
    matcher = BankMatcher(
        db,
        snapshot_dir=settings.bank_index_dir,
        poll_interval_s=settings.index_refresh_s,
        flood_max_matches=settings.bank_flood_max_matches,
        flood_window_s=settings.bank_flood_window_s,
        flood_guard=FloodGuard(
            min_clients=settings.bank_flood_min_clients, log=open_flood_log(settings, db)
        ),
    )
    service = BankService(
        db, matcher=matcher, observer=observer, image_limits=ImageLimits.from_settings(settings)
    )
    alerts = AlertLog(db, observer)
    matcher.on_flood = service.quarantine
    matcher.on_alert = alerts.record_flood
    if start:
        matcher.start()
    return Banks(db, service, matcher, alerts)
