"""Removal webhooks: signed, idempotent, retried from a durable queue, dead-lettered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentgate.audit import chain
from consentgate.cases import webhook
from consentgate.cases.outbox import ActionKind, ActionStatus
from consentgate.cases.records import Action, AppealOutcome, Appellant, CaseKind, EventKind, Item
from consentgate.errors import BadInput, Conflict
from consentgate.store.database import Database
from tests.cases.actionkit import (
    SECRET,
    URL,
    Platform,
    hooked,
    removed,
    webhook_settings,
    worker,
)
from tests.cases.conftest import MovableClock


def test_UK_4_when_an_item_is_taken_down_then_a_signed_webhook_is_delivered_and_audited(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    platform = Platform()
    case = removed(cases)
    assert worker(db, settings, clock, platform, cases).run_once() == 1
    (request,) = platform.requests
    assert str(request.url) == URL
    timestamp = request.headers[webhook.TIMESTAMP]
    assert webhook.verify(SECRET, timestamp, request.content, request.headers[webhook.SIGNATURE])
    assert not webhook.verify("another secret", timestamp, request.content,
                              request.headers[webhook.SIGNATURE])  # fmt: skip
    body = platform.bodies()[0]
    assert (body["action"], body["case_id"], body["item"]) == (
        "remove",
        case.id,
        {"url": "https://platform.example/p/1"},
    )
    assert body["idempotency_key"] == request.headers[webhook.IDEMPOTENCY_KEY]
    history = cases.history(case.id)
    sent = [e for e in history if e.kind is EventKind.ACTION_SENT]
    assert len(sent) == 1 and sent[0].data["idempotency_key"] == body["idempotency_key"]
    assert sent[0].at == clock.now
    with db.read() as conn:
        chain.verify(conn)


def test_US_5_when_a_removal_has_no_basis_then_refused(db: Database, clock: MovableClock) -> None:
    cases = hooked(db, webhook_settings(db), clock)
    case = cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://platform.example/p/2"))
    with pytest.raises(BadInput, match="basis"):
        cases.decide(case.id, Action.REMOVE, reason="  ", actor="reviewer-a")
    assert cases.get(case.id).version == case.version  # the decision rolled back too
    assert worker(db, webhook_settings(db), clock, Platform(), cases).queue.list() == []


def test_US_5_when_an_item_is_removed_then_the_basis_travels_with_the_action(
    db: Database, clock: MovableClock
) -> None:
    cases = hooked(db, webhook_settings(db), clock)
    removed(cases, reason="the person shown did not consent; ID checked")
    (action,) = worker(db, webhook_settings(db), clock, Platform(), cases).queue.list()
    assert action.payload["basis"] == "the person shown did not consent; ID checked"


def test_when_no_action_is_decided_then_nothing_is_queued(
    db: Database, clock: MovableClock
) -> None:
    cases = hooked(db, webhook_settings(db), clock)
    case = cases.open(CaseKind.DSA_NOTICE, Item(url="https://platform.example/p/3"))
    cases.decide(case.id, Action.NO_ACTION, reason="", actor="reviewer-a")
    assert worker(db, webhook_settings(db), clock, Platform(), cases).queue.list() == []


def test_when_the_platform_fails_then_retries_back_off_with_the_same_key_and_body(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db, action_max_attempts=5)
    cases = hooked(db, settings, clock)
    platform = Platform(statuses=[500, 503])
    removed(cases)
    sender = worker(db, settings, clock, platform, cases)
    assert sender.run_once() == 1
    (action,) = sender.queue.list()
    assert (action.status, action.attempts, action.last_error) == (
        ActionStatus.PENDING,
        1,
        "HTTP 500",
    )
    assert action.next_attempt_at == clock.now + timedelta(seconds=10)
    assert sender.run_once() == 0  # not due yet
    clock.advance(seconds=10)
    assert sender.run_once() == 1
    assert sender.queue.get(action.id).next_attempt_at == clock.now + timedelta(seconds=20)
    clock.advance(seconds=19)
    assert sender.run_once() == 0
    clock.advance(seconds=1)
    assert sender.run_once() == 1
    assert sender.queue.get(action.id).status is ActionStatus.SENT
    keys = {r.headers[webhook.IDEMPOTENCY_KEY] for r in platform.requests}
    assert len(platform.requests) == 3 and len(keys) == 1
    assert len({r.content for r in platform.requests}) == 1
    assert [r.headers[webhook.ATTEMPT] for r in platform.requests] == ["1", "2", "3"]


def test_when_every_attempt_fails_then_the_action_is_dead_until_replayed(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db, action_max_attempts=2)
    cases = hooked(db, settings, clock)
    platform = Platform(statuses=[500, 500])
    case = removed(cases)
    sender = worker(db, settings, clock, platform, cases)
    sender.run_once()
    clock.advance(seconds=10)
    sender.run_once()
    (dead,) = sender.queue.list(status=ActionStatus.DEAD)
    failed = [e for e in cases.history(case.id) if e.kind is EventKind.ACTION_FAILED]
    assert len(failed) == 1 and "2 attempts" in failed[0].reason
    clock.advance(days=1)
    assert sender.run_once() == 0  # dead stays dead
    sender.queue.replay(dead.id, clock.now)
    with pytest.raises(Conflict, match="not dead"):
        sender.queue.replay(dead.id, clock.now)
    assert sender.queue.get(dead.id).status is ActionStatus.PENDING
    assert sender.run_once() == 1
    assert sender.queue.get(dead.id).status is ActionStatus.SENT
    assert len({r.headers[webhook.IDEMPOTENCY_KEY] for r in platform.requests}) == 1


def test_when_a_worker_crashes_after_claiming_then_the_action_is_delivered_later_exactly_once(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    platform = Platform()
    removed(cases)
    sender = worker(db, settings, clock, platform, cases)
    (held,) = sender.queue.claim(clock.now, lease_s=sender.lease_s)  # ... then the worker dies
    assert sender.run_once() == 0  # the lease still holds
    clock.advance(seconds=sender.lease_s)
    assert sender.run_once() == 1
    assert sender.run_once() == 0
    assert len(platform.requests) == 1
    with db.write() as conn:  # the dead worker wakes up: its claim is stale
        assert not sender.queue.settle(conn, held, ActionStatus.SENT, now=clock.now)
    assert sender.queue.get(held.action.id).status is ActionStatus.SENT


def test_when_no_webhook_url_is_set_then_actions_wait_and_are_never_dropped(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db, webhook_url=None, webhook_secret=None)
    cases = hooked(db, settings, clock)
    platform = Platform()
    removed(cases)
    idle = worker(db, settings, clock, platform, cases)
    assert not idle.configured and idle.run_once() == 0
    assert [a.status for a in idle.queue.list()] == [ActionStatus.PENDING]
    configured = webhook_settings(db)
    assert worker(db, configured, clock, platform, cases).run_once() == 1
    assert len(platform.requests) == 1


def test_when_a_removal_is_reversed_then_a_restore_follows_it(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    platform = Platform()
    case = removed(cases)
    sender = worker(db, settings, clock, platform, cases)
    sender.run_once()
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="it is me and I consented", actor="u")
    cases.decide_appeal(case.id, AppealOutcome.REVERSED, reason="consent shown", actor="lead-b")
    sender.run_once()
    remove, restore = platform.bodies()
    assert (remove["action"], restore["action"]) == ("remove", "restore")
    assert restore["reverses"] == remove["idempotency_key"]
    assert restore["idempotency_key"] != remove["idempotency_key"]


def test_when_a_removal_is_reversed_before_delivery_then_it_is_cancelled_not_sent(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    platform = Platform()
    case = removed(cases)
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="consented", actor="u")
    cases.decide_appeal(case.id, AppealOutcome.REVERSED, reason="consent shown", actor="lead-b")
    sender = worker(db, settings, clock, platform, cases)
    assert sender.run_once() == 0
    assert [a.status for a in sender.queue.list()] == [ActionStatus.CANCELLED]
    assert platform.requests == []


def test_when_a_restore_is_queued_behind_a_removal_in_flight_then_it_waits(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    platform = Platform()
    case = removed(cases)
    sender = worker(db, settings, clock, platform, cases)
    (held,) = sender.queue.claim(clock.now, lease_s=60)  # the removal is in flight
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="consented", actor="u")
    cases.decide_appeal(case.id, AppealOutcome.REVERSED, reason="consent shown", actor="lead-b")
    assert sender.run_once() == 0  # the restore must not overtake the removal
    clock.advance(seconds=60)
    assert sender.run_once() == 2  # the removal, retaken after its lease ran out, then the restore
    assert [b["action"] for b in platform.bodies()] == ["remove", "restore"]
    assert {a.kind for a in sender.queue.list(status=ActionStatus.SENT)} == {
        ActionKind.REMOVE,
        ActionKind.RESTORE,
    }
    assert held.action.kind is ActionKind.REMOVE
