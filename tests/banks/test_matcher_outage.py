"""A store outage does not stop a worker's index refresh: one line per try, then it
catches up by itself once the store is back."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from consentgate.banks.matcher import BankMatcher
from consentgate.banks.service import BankService
from consentgate.store.database import Database
from tests.banks.conftest import random_pdq


def _locked() -> OperationalError:
    err = sqlite3.OperationalError("database is locked")
    err.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return OperationalError("SELECT", {}, err)


def test_when_the_store_is_down_then_the_refresh_logs_one_line_and_recovers_without_restart(
    service: BankService, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    worker = BankMatcher(Database(db.url), flood_max_matches=None, poll_interval_s=0.02)
    real = worker.refresh
    down = threading.Event()
    down.set()

    def refresh(batch: int = 50_000, *, trigger: str = "write") -> int:
        if down.is_set():
            raise _locked()
        return real(batch, trigger=trigger)

    worker.ensure_loaded()
    worker.refresh = refresh  # type: ignore[method-assign]
    service.create_bank("victims", "ncii")
    pdq = random_pdq(303)
    with caplog.at_level(logging.WARNING, logger="consentgate.banks.refresher"):
        worker.start()
        try:
            service.add_entry("victims", pdq=pdq)
            time.sleep(0.2)  # several failed tries
            down.clear()
            deadline = time.monotonic() + 10
            while not worker.match([pdq], quality=None, md5=None).matches:
                assert time.monotonic() < deadline, "the refresh never recovered"
                time.sleep(0.02)
        finally:
            worker.close()
    failures = [r for r in caplog.records if r.name == "consentgate.banks.refresher"]
    assert failures, "the outage was not logged"
    assert {(r.levelno, r.getMessage()) for r in failures} == {
        (logging.WARNING, "bank index refresh failed: the store is locked by another writer")
    }
    assert all(r.exc_info is None for r in failures)
