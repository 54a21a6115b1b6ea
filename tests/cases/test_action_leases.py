"""Claims and leases: one action claimed at a time, a short lease kept by a heartbeat,
a claim given back on a clean stop, a dead worker's action due again soon."""

from __future__ import annotations

import threading
import time

import httpx

from consentgate.cases.outbox import ActionQueue, ActionStatus
from consentgate.cases.worker import ActionWorker, BackgroundWorker
from consentgate.store.database import Database
from tests.cases.actionkit import hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock


def _blocking(release: threading.Event, seen: threading.Event) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.set()
        release.wait(10)
        return httpx.Response(200)

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_when_a_worker_sends_then_it_holds_only_the_action_it_is_sending(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    for _ in range(3):
        removed(cases)
    queue = ActionQueue(db)
    holding: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        holding.append(len(queue.list(status=ActionStatus.SENDING)))
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handle))
    assert ActionWorker(db, settings, client, clock, cases=cases).run_once() == 3
    assert holding == [1, 1, 1]


def test_when_a_worker_dies_in_flight_then_its_action_is_due_within_a_short_lease(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db, webhook_timeout_s=5)
    cases = hooked(db, settings, clock)
    removed(cases)
    worker = ActionWorker(db, settings, httpx.Client(), clock, cases=cases)
    assert worker.lease_s <= settings.webhook_timeout_s + 5
    (held,) = worker.queue.claim(clock.now, lease_s=worker.lease_s)  # ... and dies
    clock.advance(seconds=worker.lease_s - 1)
    assert worker.queue.claim(clock.now, lease_s=worker.lease_s) == []
    clock.advance(seconds=1)
    (again,) = worker.queue.claim(clock.now, lease_s=worker.lease_s)
    assert again.action.id == held.action.id and again.action.outcome_unknown


def test_when_a_delivery_outlasts_its_lease_then_the_heartbeat_keeps_it(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    removed(cases)
    release, seen = threading.Event(), threading.Event()
    worker = ActionWorker(
        db, settings, _blocking(release, seen), clock, cases=cases, heartbeat_s=0.05
    )
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        assert seen.wait(10)
        clock.advance(seconds=worker.lease_s * 3)  # the first lease ran out long ago
        (action,) = worker.queue.list()
        deadline = time.monotonic() + 10  # a functional deadline for the next beat
        while worker.queue.get(action.id).lease_until <= clock.now:  # type: ignore[operator]
            assert time.monotonic() < deadline, "no heartbeat renewed the lease"
            time.sleep(0.02)
        assert ActionQueue(db).claim(clock.now, lease_s=1) == []  # still held
    finally:
        release.set()
        thread.join(10)
    (action,) = worker.queue.list()
    assert action.status is ActionStatus.SENT and action.attempts == 1


def test_when_the_worker_stops_mid_delivery_then_its_claim_is_given_back_due_now(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    removed(cases)
    release, seen = threading.Event(), threading.Event()
    worker = ActionWorker(db, settings, _blocking(release, seen), clock, cases=cases)
    background = BackgroundWorker(worker, interval_s=0.05).start()
    try:
        assert seen.wait(10)
        background.stop(timeout=0.2)  # the delivery outlives the stop
        (action,) = worker.queue.list()
        assert (action.status, action.next_attempt_at) == (ActionStatus.PENDING, clock.now)
        assert action.outcome_unknown  # it was in flight: it may have been carried out
    finally:
        release.set()
    time.sleep(0.2)  # the late answer cannot overwrite the given-back claim
    assert worker.queue.list()[0].status is ActionStatus.PENDING
