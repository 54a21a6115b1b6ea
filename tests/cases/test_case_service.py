"""Cases: opened with a deadline, listed by priority, decided once, appealed to another person."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from consentgate.cases.deadlines import Clock
from consentgate.cases.records import (
    Action,
    AppealOutcome,
    Appellant,
    CaseKind,
    CaseState,
    EventKind,
    Item,
    Queue,
)
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput, Conflict, Forbidden, NotFound
from consentgate.store.database import Database
from tests.cases.conftest import START, MovableClock

ITEM = Item(url="https://example.com/p/1")


def test_UK_12_when_an_intimate_image_case_nears_48_hours_then_at_risk_then_breached(
    service: CaseService, clock: MovableClock
) -> None:
    case = service.open(CaseKind.UK_INTIMATE_IMAGE, ITEM)
    assert case.queue is Queue.INTIMATE_IMAGES
    assert case.deadline_at == START + timedelta(hours=48)
    assert service.overdue(START + timedelta(hours=35, minutes=59)) == []
    assert service.overdue(START + timedelta(hours=47, minutes=59)) == [(case, Clock.AT_RISK)]
    assert service.overdue(START + timedelta(hours=48)) == [(case, Clock.BREACHED)]
    service.decide(case.id, Action.REMOVE, reason="intimate image, reported by the subject",
                   actor="alice")  # fmt: skip
    assert service.overdue(START + timedelta(hours=49)) == []


def test_US_4_when_a_take_it_down_request_is_not_acted_on_then_it_breaches_at_48_hours(
    service: CaseService,
) -> None:
    case = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    assert [
        c.id for c, s in service.overdue(START + timedelta(hours=48)) if s is Clock.BREACHED
    ] == [case.id]


@pytest.mark.parametrize(
    ("kind", "hours"),
    [(CaseKind.CHILD_SAFETY, 1), (CaseKind.DSA_NOTICE, 168), (CaseKind.TAKE_IT_DOWN, 48)],
)
def test_when_a_case_opens_then_its_deadline_comes_from_its_queue(
    service: CaseService, kind: CaseKind, hours: int
) -> None:
    assert service.open(kind, ITEM).deadline_at == START + timedelta(hours=hours)


def test_UK_5_when_cases_are_listed_then_child_safety_comes_first_then_intimate_images(
    service: CaseService, clock: MovableClock
) -> None:
    other = service.open(CaseKind.DSA_NOTICE, ITEM)
    clock.advance(hours=1)
    intimate = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    clock.advance(hours=1)
    child = service.open(CaseKind.CHILD_SAFETY, ITEM)
    assert [c.id for c in service.list_cases()] == [child.id, intimate.id, other.id]
    assert [c.id for c in service.list_cases(queue=Queue.OTHER)] == [other.id]


def test_when_a_case_is_decided_then_its_state_is_the_projection_of_its_events(
    service: CaseService,
) -> None:
    case = service.open(CaseKind.DSA_NOTICE, ITEM)
    service.assign(case.id, to="alice", actor="lead")
    decided = service.decide(case.id, Action.REMOVE, reason="illegal", actor="alice")
    assert decided.state is CaseState.ACTIONED and decided.decided_by == "alice"
    assert decided.version == 3
    assert service.get(case.id) == decided
    kinds = [e.kind for e in service.history(case.id)]
    assert kinds == [EventKind.RECEIVED, EventKind.ASSIGNED, EventKind.DECIDED]


def test_when_two_reviewers_decide_one_case_then_one_wins_and_the_other_gets_409(
    service: CaseService,
) -> None:
    case = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    service.decide(case.id, Action.REMOVE, reason="r", actor="alice", expected_version=1)
    with pytest.raises(Conflict):
        service.decide(case.id, Action.NO_ACTION, reason="r", actor="bob", expected_version=1)
    with pytest.raises(Conflict):
        service.decide(case.id, Action.NO_ACTION, reason="r", actor="bob")


def test_when_two_reviewers_decide_at_the_same_moment_then_exactly_one_succeeds(
    db: Database, clock: MovableClock
) -> None:
    service = CaseService(db, clock=clock)
    case = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def decide(actor: str) -> None:
        barrier.wait()
        try:
            service.decide(case.id, Action.REMOVE, reason="r", actor=actor, expected_version=1)
            outcomes.append("won")
        except Conflict:
            outcomes.append("409")

    threads = [threading.Thread(target=decide, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "409", "409", "won"]
    assert len(service.history(case.id)) == 2


def test_EU_11_when_a_decision_not_to_act_is_appealed_by_the_reporter_then_it_is_accepted(
    service: CaseService, clock: MovableClock
) -> None:
    case = service.open(CaseKind.DSA_NOTICE, ITEM, notice_id="n1")
    service.decide(case.id, Action.NO_ACTION, reason="not illegal", actor="alice")
    clock.advance(days=30 * 5)  # five months later: inside the window
    appealed = service.appeal(case.id, by=Appellant.REPORTER, text="it is mine", actor="reporter")
    assert appealed.state is CaseState.APPEALED and appealed.appeal_by is Appellant.REPORTER


def test_EU_11_when_the_appeal_window_has_closed_then_the_appeal_is_refused(
    service: CaseService, clock: MovableClock
) -> None:
    case = service.open(CaseKind.DSA_NOTICE, ITEM)
    service.decide(case.id, Action.REMOVE, reason="illegal", actor="alice")
    clock.advance(days=184)
    with pytest.raises(BadInput, match="appeal window closed"):
        service.appeal(case.id, by=Appellant.AFFECTED_USER, text="x", actor="user")


def test_UK_14_when_the_first_decider_decides_the_appeal_then_403_and_another_may(
    service: CaseService,
) -> None:
    case = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    service.decide(case.id, Action.REMOVE, reason="intimate image", actor="alice")
    service.appeal(case.id, by=Appellant.AFFECTED_USER, text="that is not me", actor="user")
    with pytest.raises(Forbidden):
        service.decide_appeal(case.id, AppealOutcome.REVERSED, reason="r", actor="alice")
    reversed_ = service.decide_appeal(case.id, AppealOutcome.REVERSED, reason="r", actor="bob")
    assert reversed_.state is CaseState.REVERSED and reversed_.appeal_decided_by == "bob"


@pytest.mark.parametrize(
    "change",
    [
        lambda s, i: s.appeal(i, by=Appellant.AFFECTED_USER, text="x", actor="u"),
        lambda s, i: s.decide_appeal(i, AppealOutcome.UPHELD, reason="r", actor="bob"),
    ],
)
def test_when_a_case_is_in_the_wrong_state_then_409(service: CaseService, change: object) -> None:
    case = service.open(CaseKind.DSA_NOTICE, ITEM)
    with pytest.raises(Conflict):
        change(service, case.id)  # type: ignore[operator]


def test_when_a_case_is_unknown_then_not_found(service: CaseService) -> None:
    with pytest.raises(NotFound):
        service.get("nope")
    with pytest.raises(NotFound):
        service.decide("nope", Action.REMOVE, reason="r", actor="alice")


def test_when_a_change_names_no_actor_then_bad_input(service: CaseService) -> None:
    case = service.open(CaseKind.DSA_NOTICE, ITEM)
    with pytest.raises(BadInput):
        service.decide(case.id, Action.REMOVE, reason="r", actor=" ")


def test_when_a_hook_fails_then_the_event_and_the_change_are_rolled_back(
    db: Database, clock: MovableClock
) -> None:
    calls: list[EventKind] = []

    def hook(_conn: object, _case: object, event: object) -> None:
        calls.append(event.kind)  # type: ignore[attr-defined]
        if event.kind is EventKind.DECIDED:  # type: ignore[attr-defined]
            raise RuntimeError("webhook queue unavailable")

    service = CaseService(db, clock=clock, hooks=[hook])
    case = service.open(CaseKind.TAKE_IT_DOWN, ITEM)
    with pytest.raises(RuntimeError):
        service.decide(case.id, Action.REMOVE, reason="r", actor="alice")
    assert service.get(case.id).state is CaseState.OPEN
    assert len(service.history(case.id)) == 1
    assert calls == [EventKind.RECEIVED, EventKind.DECIDED]
