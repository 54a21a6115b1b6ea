"""A write the store must take before ``/readyz`` says 200.

Why a real write: ``SELECT 1`` is answered by a store whose disk is full and
by a SQLite file another process holds locked, while every write fails. The
probe rewrites the one row of ``alembic_version`` (every migrated store has
it) with its own value: a real write, through the same writer as every other,
that changes nothing. It runs at most once per ``interval_s`` in a worker;
between tries ``check`` repeats the last result, so a load balancer asking
often costs no writes, and a probe already running is never queued behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import text

from consentgate.errors import StoreUnavailable
from consentgate.store.database import Database
from consentgate.store.faults import store_fault

log = logging.getLogger(__name__)

PROBE = text("UPDATE alembic_version SET version_num = version_num")
# On PostgreSQL a migration holding the row must not hold /readyz for its whole run.
PG_TIMEOUTS = text(
    "SELECT set_config('lock_timeout', :ms, true), set_config('statement_timeout', :ms, true)"
)


class WriteProbe:
    """Tries one write now and then; says why the store cannot take one, or None."""

    def __init__(
        self, db: Database, interval_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last: StoreUnavailable | None = None
        self._tried_at: float | None = None

    def check(self) -> StoreUnavailable | None:
        """The last result if it is recent (or a probe is running now), else a fresh one."""
        if self._tried_at is not None and self._clock() - self._tried_at < self.interval_s:
            return self._last
        if not self._lock.acquire(blocking=False):
            return self._last
        try:
            self._last = self._try()
            self._tried_at = self._clock()
        finally:
            self._lock.release()
        return self._last

    def _try(self) -> StoreUnavailable | None:
        try:
            with self.db.write() as conn:
                if not self.db.is_sqlite:
                    conn.execute(PG_TIMEOUTS, {"ms": f"{round(self.db.busy_timeout_s * 1000)}"})
                conn.execute(PROBE)
        except Exception as exc:
            fault = store_fault(exc)
            if fault is not None:
                return fault
            log.exception("the store's write probe failed")
            return StoreUnavailable("the store cannot take a write")
        return None
