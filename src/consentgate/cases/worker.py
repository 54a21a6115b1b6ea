"""Delivers queued actions to the platform: claim, POST, settle, retry or dead-letter.

A worker keeps nothing between attempts: the queue row holds the attempt count,
the next attempt's time and the last error, so any worker (in any process) can
take over. Retries back off exponentially (``action_retry_base_s``, doubling,
capped at 6 hours); after ``action_max_attempts`` an action is dead and waits
for ``consentgate actions replay``. The outcome and its audit event
(``action_sent`` / ``action_failed``) are written in one transaction.

At least once, and never twice by design: two workers never hold one action
(``outbox.ActionQueue.claim``), and the rare resend after a crash between the
platform's 2xx and our commit carries the same ``Idempotency-Key``.

A worker claims one action at a time, just before sending it, under a short
lease its heartbeat renews (``cases.lease``); on a clean stop it gives back a
claim it still holds, so a restart sends it at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import httpx

from consentgate.cases.clock import Clock, system_clock
from consentgate.cases.lease import Heartbeat, lease_for
from consentgate.cases.outbox import ActionQueue, ActionStatus, CaseAction, Claimed
from consentgate.cases.records import AUTOMATED, EventKind
from consentgate.cases.service import CaseService
from consentgate.cases.webhook import Delivery, WebhookSender
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.faults import store_fault

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 6 * 3600


class ActionWorker:
    """Delivers due actions; ``run_once`` is one pass, the thread below loops it."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        http_client: httpx.Client | None = None,
        clock: Clock = system_clock,
        *,
        cases: CaseService | None = None,
        batch: int = 10,
        heartbeat_s: float | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.queue = ActionQueue(db)
        self.cases = cases or CaseService(db, settings, clock=clock)
        self.batch = batch
        self.lease_s = lease_for(settings.webhook_timeout_s)
        self.heartbeat_s = heartbeat_s
        self.stopping = threading.Event()
        self._held: Claimed | None = None
        self._own_client = http_client is None
        self.client = http_client or httpx.Client(timeout=settings.webhook_timeout_s)
        self.sender: WebhookSender | None = None
        if settings.webhook_url is not None and settings.webhook_secret is not None:
            secret = settings.webhook_secret.get_secret_value()
            self.sender = WebhookSender(
                settings.webhook_url, secret, self.client, settings.webhook_timeout_s
            )

    @property
    def configured(self) -> bool:
        return self.sender is not None

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        seconds = self.settings.action_retry_base_s * 2 ** min(max(attempts - 1, 0), 30)
        return timedelta(seconds=min(seconds, MAX_BACKOFF_S))

    def run_once(self) -> int:
        """Attempt the actions due now (up to one batch), one claim at a time; how many.

        Without a webhook URL nothing is claimed: actions stay pending, never dropped.
        """
        if self.sender is None:
            return 0
        done = 0
        while done < self.batch and not self.stopping.is_set():
            claimed = self.queue.claim(self.clock(), lease_s=self.lease_s)
            if not claimed:
                break
            held = self._held = claimed[0]
            beat = Heartbeat(
                self.queue, held, self.clock, lease_s=self.lease_s, every_s=self.heartbeat_s
            )
            try:
                with beat:  # the lease holds while the POST runs, however long
                    delivery = self.sender.send(held.action, self.clock())
                self._settle(held, delivery)  # within the lease's margin
            finally:
                self._held = None
            done += 1
        return done

    def _settle(self, held: Claimed, delivery: Delivery) -> None:
        action = held.action
        now = self.clock()
        with self.db.write() as conn:
            if delivery.ok:
                if self.queue.settle(conn, held, ActionStatus.SENT, now=now):
                    self.cases.record(
                        action.case_id,
                        EventKind.ACTION_SENT,
                        actor=AUTOMATED,
                        data=_facts(action, delivery),
                        conn=conn,
                    )
                return
            if action.attempts >= self.settings.action_max_attempts:
                if self.queue.settle(
                    conn,
                    held,
                    ActionStatus.DEAD,
                    now=now,
                    error=delivery.error,
                    unknown=delivery.unknown,
                ):
                    self.cases.record(
                        action.case_id,
                        EventKind.ACTION_FAILED,
                        actor=AUTOMATED,
                        reason=f"gave up after {action.attempts} attempts: {delivery.error}",
                        data=_facts(action, delivery),
                        conn=conn,
                    )
                    log.error("action %s is dead: %s", action.id, delivery.error)
                return
            retry_at = now + self.backoff(action.attempts)
            self.queue.settle(
                conn,
                held,
                ActionStatus.PENDING,
                now=now,
                error=delivery.error,
                retry_at=retry_at,
                unknown=delivery.unknown,
            )
            log.warning("action %s failed (%s); retry at %s", action.id, delivery.error, retry_at)

    def close(self) -> None:
        """Stop claiming, give back a claim still held (due again at once), close the client."""
        self.stopping.set()
        held = self._held
        if held is not None and self.queue.release(held, self.clock()):
            log.warning("action %s given back on shutdown; its outcome is unknown", held.action.id)
        if self._own_client:
            self.client.close()


def _facts(action: CaseAction, delivery: Delivery) -> dict[str, object]:
    return {
        "action_id": action.id,
        "action": action.kind.value,
        "idempotency_key": action.idempotency_key,
        "attempts": action.attempts,
        "http_status": delivery.status,
    }


class BackgroundWorker:
    """Runs an ActionWorker in a daemon thread until ``stop``."""

    def __init__(self, worker: ActionWorker, *, interval_s: float = 1.0) -> None:
        self.worker = worker
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="consentgate-actions", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                while self.worker.run_once() and not self._stop.is_set():
                    pass  # drain what is due before sleeping
            except Exception as exc:  # the queue keeps the actions; log and try again later
                fault = store_fault(exc)  # an outage is one line per try, not a traceback
                if fault is None:
                    log.exception("delivering actions failed")
                else:
                    log.warning("delivering actions failed: %s", fault.message)
            self._stop.wait(self.interval_s)

    def stop(self, timeout: float = 30.0) -> None:
        """Let a delivery under way finish (its deadline bounds it), then give back any claim."""
        self._stop.set()
        self.worker.stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.worker.close()


def start_worker(
    db: Database,
    settings: Settings,
    *,
    cases: CaseService | None = None,
    clock: Clock = system_clock,
    interval_s: float = 1.0,
) -> BackgroundWorker | None:
    """Deliver actions in the background; None (and a warning) without a webhook URL."""
    worker = ActionWorker(db, settings, clock=clock, cases=cases)
    if not worker.configured:
        worker.close()
        log.warning("CONSENTGATE_WEBHOOK_URL is not set: removal actions wait in the queue")
        return None
    return BackgroundWorker(worker, interval_s=interval_s).start()


def stop_worker(background: BackgroundWorker | None) -> None:
    if background is not None:
        background.stop()
