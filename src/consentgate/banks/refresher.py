"""The thread that keeps one worker's bank index current: woken by a notice, else on a timer.

Why one thread for both: a notice only wakes it, so notices that arrive while
it is catching up collapse into one more catch-up, and the thread that hears
notices (``banks.notices.Listener``) never waits on the store. The timer is
the fallback that stays on whatever carries the notices: every
``poll_interval_s`` without a wake it catches up anyway, so a lost notice
delays a change by one interval at most, as before notices existed.

The wake flag is cleared before the catch-up reads the log, so a change that
commits while one is running wakes the thread again instead of being missed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from consentgate.store.faults import store_fault

log = logging.getLogger(__name__)

NOTICE = "notice"
POLL = "poll"
WRITE = "write"


class Refresher:
    """Calls ``step(trigger)`` when woken (by a notice, or by a write in this process)
    or every ``poll_interval_s`` without a wake (``poll``)."""

    def __init__(self, step: Callable[[str], object], poll_interval_s: float) -> None:
        self._step = step
        self.poll_interval_s = poll_interval_s
        self._wake = threading.Event()
        self._woken_by: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bank-matcher", daemon=True)

    def start(self) -> Refresher:
        self._thread.start()
        return self

    def wake(self, trigger: str = NOTICE) -> None:
        self._woken_by.add(trigger)
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            woken = self._wake.wait(self.poll_interval_s)
            if self._stop.is_set():
                return
            self._wake.clear()
            by, self._woken_by = self._woken_by, set()
            trigger = POLL if not woken else NOTICE if NOTICE in by or not by else WRITE
            try:
                self._step(trigger)
            except Exception as exc:  # keep serving the last good index; log and retry
                fault = store_fault(exc)  # an outage is one line per try, not a traceback
                if fault is None:
                    log.exception("bank index refresh failed")
                else:
                    log.warning("bank index refresh failed: %s", fault.message)
