"""Short leases, renewed by a heartbeat while a delivery runs.

Why short: a worker that dies holding a lease holds its action until the lease
runs out, and the platform waits that long for a removal. A lease that had to
cover a whole delivery's worst case (three timeouts and half a minute) kept a
crashed worker's actions for a minute. Now a lease covers one delivery
(``CONSENTGATE_WEBHOOK_TIMEOUT_S``, the whole delivery's deadline) plus a
margin, capped at 15 s, and a heartbeat renews it every third of that while
the delivery runs: a live worker keeps it through a long timeout or a slow
settle, and a dead one's action is due again within 15 s of its last beat.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from consentgate.cases.clock import Clock
from consentgate.cases.outbox import ActionQueue, Claimed
from consentgate.store.faults import store_fault

log = logging.getLogger(__name__)

LEASE_MARGIN_S = 5.0
"""Added to the webhook timeout: time to claim, connect and settle around the POST."""

MAX_LEASE_S = 15.0
"""A restart sends a crashed worker's action within this; the heartbeat covers the rest."""


def lease_for(webhook_timeout_s: float) -> float:
    """How long one claim holds an action without a heartbeat."""
    return min(webhook_timeout_s + LEASE_MARGIN_S, MAX_LEASE_S)


class Heartbeat:
    """Renews one claim's lease every ``every_s`` seconds until the ``with`` block ends."""

    def __init__(
        self,
        queue: ActionQueue,
        held: Claimed,
        clock: Clock,
        *,
        lease_s: float,
        every_s: float | None = None,
    ) -> None:
        self.queue = queue
        self.held = held
        self.clock = clock
        self.lease_s = lease_s
        self.every_s = every_s if every_s is not None else lease_s / 3
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="consentgate-lease", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                renewed = self.queue.renew(self.held, self.clock(), lease_s=self.lease_s)
            except Exception as exc:  # the store is down: the next beat tries again
                fault = store_fault(exc)  # an outage is one line per try, not a traceback
                if fault is None:
                    log.exception("renewing the lease of action %s failed", self.held.action.id)
                else:
                    log.warning(
                        "renewing the lease of action %s failed: %s",
                        self.held.action.id,
                        fault.message,
                    )
                continue
            if not renewed:  # taken over, or released: nothing left to keep
                self.lost = True
                log.warning("action %s: lease lost during delivery", self.held.action.id)
                return
            self.beats += 1

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
