"""Builds the bank service and matcher from settings (used by the CLI and the HTTP service)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from consentgate.banks.alerts import AlertLog
from consentgate.banks.flood import FloodGuard
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.notices import TOPIC, NoNotices, Notices
from consentgate.banks.notices_postgres import PostgresNotices
from consentgate.banks.notices_redis import RedisNotices
from consentgate.banks.observer import BankObserver
from consentgate.banks.service import BankService
from consentgate.counters.choose import open_flood_log
from consentgate.images.limits import ImageLimits
from consentgate.settings import BankNotices, Settings
from consentgate.store.database import Database
from consentgate.store.migrate import is_up_to_date, upgrade


@dataclass
class Banks:
    db: Database
    service: BankService
    matcher: BankMatcher
    alerts: AlertLog
    notices: Notices

    def close(self) -> None:
        self.notices.close()
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


def open_notices(settings: Settings, db: Database, *, background: bool = True) -> Notices:
    """Redis pub/sub when ``CONSENTGATE_REDIS_URL`` is set, else PostgreSQL LISTEN/NOTIFY,
    else none (SQLite: the poll alone); ``CONSENTGATE_BANK_NOTICES=off`` turns them off."""
    if settings.bank_notices is BankNotices.OFF:
        return NoNotices()
    if settings.redis_url:
        return RedisNotices(settings.redis_url, prefix=settings.redis_prefix, background=background)
    if not db.is_sqlite:
        return PostgresNotices(db)
    return NoNotices()


def open_banks(
    settings: Settings,
    *,
    db: Database | None = None,
    start: bool = False,
    observer: BankObserver | None = None,
) -> Banks:
    """The service and matcher over the configured store (migrated first).

    ``start`` loads the index now and keeps it current in a background thread,
    woken by change notices from other processes (long-running workers);
    otherwise it loads on the first match. Either way each committed bank change
    wakes this process's matcher and is announced to the others.
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
    notices = open_notices(settings, db, background=start)

    def changed(notes: Mapping[str, int]) -> None:
        seq = notes.get(TOPIC)
        if seq is not None:
            matcher.notice(seq, trigger="write")  # e.g. stay-down, outside the bank service
            notices.publish(seq)

    db.on_commit(changed)
    if start:
        matcher.start()
        notices.listen(matcher)
    return Banks(db, service, matcher, alerts, notices)
