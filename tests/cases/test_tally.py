"""Casework counts over a period: states by queue, time to decision, who decided, appeals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentgate.cases.clock import fixed_clock
from consentgate.cases.records import (
    AUTOMATED,
    Action,
    AppealOutcome,
    Appellant,
    CaseKind,
    Item,
    Queue,
)
from consentgate.cases.service import CaseService
from consentgate.cases.tally import tally
from consentgate.people import Role
from consentgate.service.users import UserStore
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_when_cases_were_decided_then_the_tally_counts_them_and_their_times(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db)
    service = CaseService(db, Settings(database_url=database_url))  # type: ignore[call-arg]
    users = UserStore(db)
    alice, bob = users.add("alice", Role.MODERATOR), users.add("bob", Role.APPEALS)
    service.clock = fixed_clock(T0 - timedelta(days=40))
    old = service.open(CaseKind.TAKE_IT_DOWN, Item(url="https://x.example/old"))
    service.clock = fixed_clock(T0)
    quick, slow, slower = (
        service.open(CaseKind.TAKE_IT_DOWN, Item(url=f"https://x.example/{i}")) for i in range(3)
    )
    service.open(CaseKind.DSA_NOTICE, Item(url="https://x.example/open"))
    for case, hours in ((quick, 1), (slow, 3), (slower, 11)):
        service.clock = fixed_clock(T0 + timedelta(hours=hours))
        service.decide(case.id, Action.REMOVE, reason="r", actor=alice)
    service.decide(old.id, Action.NO_ACTION, reason="auto", actor=AUTOMATED)
    service.appeal(quick.id, by=Appellant.AFFECTED_USER, text="no", actor=alice)
    service.decide_appeal(quick.id, AppealOutcome.REVERSED, reason="ok", actor=bob)

    counted = tally(db, days=30, now=T0 + timedelta(days=1))
    db.dispose()

    intimate = next(q for q in counted.queues if q.queue is Queue.INTIMATE_IMAGES)
    other = next(q for q in counted.queues if q.queue is Queue.OTHER)
    assert intimate.by_state == {"actioned": 2, "reversed": 1}  # the old case is before the period
    assert intimate.decided == 4 and other.decided == 0 and other.by_state == {"open": 1}
    # 1, 3 and 11 hours, and the old case's 40 days and 11 hours (decided in the period).
    assert intimate.median_hours == 7.0
    assert intimate.p90_hours == 40 * 24 + 11
    assert (counted.decided_by_person, counted.decided_automatically) == (3, 1)
    assert (counted.appeals_upheld, counted.appeals_reversed) == (0, 1)
