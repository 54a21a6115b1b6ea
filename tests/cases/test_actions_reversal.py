"""A reversal leaves the platform in the state the last decision says, whatever the timing.

The fake platform applies each action it receives once per ``Idempotency-Key``,
in the order it receives them; an attempt whose answer is lost (a timeout, a 5xx
from a gateway) was still carried out. Each row reverses a removal at another
point of its delivery and checks the platform's own end state.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import httpx
import pytest

from consentgate.cases import webhook
from consentgate.cases.outbox import ActionKind, ActionStatus
from consentgate.cases.records import AppealOutcome, Appellant
from consentgate.cases.worker import ActionWorker
from consentgate.store.database import Database
from tests.cases.actionkit import hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock

APPLIED_UNANSWERED = "timeout"  # carried out, but the answer never came back
GATEWAY_5XX = "502"  # carried out behind a gateway that answered 502
REFUSED = "400"  # refused: not carried out
DOWN = "down"  # no connection: never reached the platform


@dataclass
class FakePlatform:
    """Applies actions per item, deduplicated on Idempotency-Key; answers from a script."""

    script: list[str] = field(default_factory=list)  # then every request succeeds
    state: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, str]] = field(default_factory=list)  # (action, key)
    applied: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            answer = self.script.pop(0) if self.script else "200"
            if answer == DOWN:
                raise httpx.ConnectError("connection refused", request=request)
            body = json.loads(request.read())
            key = request.headers[webhook.IDEMPOTENCY_KEY]
            self.received.append((body["action"], key))
            if answer != REFUSED and key not in self.applied:
                self.applied.add(key)
                self.state[body["item"]["url"]] = "removed" if body["action"] == "remove" else "up"
            if answer == APPLIED_UNANSWERED:
                raise httpx.ReadTimeout("no answer", request=request)
            return httpx.Response(int(answer))


@dataclass(frozen=True)
class Timing:
    name: str
    before: tuple[str, ...]  # the removal's attempts before the reversal, as answered
    removal: ActionStatus  # the removal's status in the end
    restore: bool  # whether a restore is queued (and delivered)
    died_in_flight: bool = False  # a worker holds the removal when it is reversed


TIMINGS = [
    Timing("never attempted", (), ActionStatus.CANCELLED, restore=False),
    Timing("refused once", (REFUSED,), ActionStatus.CANCELLED, restore=False),
    Timing("unreachable once", (DOWN,), ActionStatus.CANCELLED, restore=False),
    Timing("timed out", (APPLIED_UNANSWERED,), ActionStatus.SENT, restore=True),
    Timing("5xx from a gateway", (GATEWAY_5XX,), ActionStatus.SENT, restore=True),
    Timing("in flight, worker died", (), ActionStatus.SENT, restore=True, died_in_flight=True),
    Timing("delivered", ("200",), ActionStatus.SENT, restore=True),
    Timing("dead after timeouts", (APPLIED_UNANSWERED,) * 2, ActionStatus.DEAD, restore=True),
    Timing("dead after refusals", (REFUSED, DOWN), ActionStatus.CANCELLED, restore=False),
]


@pytest.mark.parametrize("timing", TIMINGS, ids=[t.name for t in TIMINGS])
def test_when_a_removal_is_reversed_at_any_point_then_the_platform_ends_restored(
    db: Database, clock: MovableClock, timing: Timing
) -> None:
    settings = webhook_settings(db, action_max_attempts=2, action_retry_base_s=10)
    cases = hooked(db, settings, clock)
    platform = FakePlatform(script=list(timing.before))
    client = httpx.Client(transport=httpx.MockTransport(platform.handle))
    sender = ActionWorker(db, settings, client, clock, cases=cases)
    case = removed(cases)
    for attempt, _ in enumerate(timing.before, start=1):
        assert sender.run_once() == 1
        clock.advance(seconds=10 if attempt < len(timing.before) else 5)  # before a retry
    if timing.died_in_flight:
        sender.queue.claim(clock.now, lease_s=sender.lease_s)
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="I consented", actor="u")
    cases.decide_appeal(case.id, AppealOutcome.REVERSED, reason="consent shown", actor="lead-b")
    if timing.restore and sender.queue.list()[0].status is ActionStatus.PENDING:
        assert sender.run_once() == 0  # the restore waits for the removal to settle
    for _ in range(4):
        clock.advance(hours=1)
        sender.run_once()
    removal, *rest = sender.queue.list()
    assert removal.status is timing.removal
    assert [(a.kind, a.status) for a in rest] == (
        [(ActionKind.RESTORE, ActionStatus.SENT)] if timing.restore else []
    )
    kinds = [kind for kind, _ in platform.received]
    assert kinds == sorted(kinds, key=["remove", "restore"].index)  # decision order
    assert platform.state.get("https://platform.example/p/1") != "removed"
    if timing.restore:
        assert rest[0].payload["reverses"] == removal.idempotency_key
        assert {key for kind, key in platform.received if kind == "restore"} == {
            rest[0].idempotency_key
        }
