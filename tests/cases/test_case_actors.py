"""Separation of duties in the case service: one person, however their name is written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.cases.records import Action, AppealOutcome, Appellant, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.errors import Forbidden
from consentgate.people import Actor, Role
from consentgate.service.users import UserStore
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url)
    upgrade(database)
    yield database
    database.dispose()


def _appealed(service: CaseService, decider: Actor) -> str:
    case = service.open(CaseKind.DSA_NOTICE, Item(url="https://example.com/x"))
    service.decide(case.id, Action.REMOVE, reason="r", actor=decider)
    service.appeal(case.id, by=Appellant.AFFECTED_USER, text="mine", actor="uploader")
    return case.id


@pytest.mark.parametrize(
    ("decider", "appeal_decider"),
    [
        ("alice", "Alice"),
        ("alice", " alice"),
        ("alice", "ＡＬＩＣＥ"),
        ("key:0123456789abcdef", "key:0123456789abcdef "),
        ("automated", "Automated"),
    ],
)
def test_when_the_first_decider_is_named_in_another_form_then_forbidden(
    db: Database, decider: str, appeal_decider: str
) -> None:
    service = CaseService(db)
    case_id = _appealed(service, decider)
    with pytest.raises(Forbidden):
        service.decide_appeal(case_id, AppealOutcome.REVERSED, reason="r", actor=appeal_decider)
    assert service.get(case_id).state.value == "appealed"


def test_when_users_decide_then_separation_compares_their_ids(db: Database) -> None:
    users, service = UserStore(db), CaseService(db)
    alice, bob = users.add("alice", Role.ADMIN), users.add("bob", Role.APPEALS)
    case_id = _appealed(service, alice)
    assert service.get(case_id).decided_by_user == alice.id
    renamed = alice.model_copy(update={"name": "someone else"})  # same id: the same person
    with pytest.raises(Forbidden, match="made the decision under appeal"):
        service.decide_appeal(case_id, AppealOutcome.UPHELD, reason="r", actor=renamed)
    decided = service.decide_appeal(case_id, AppealOutcome.UPHELD, reason="r", actor=bob)
    assert decided.appeal_decided_by == "bob"


@pytest.mark.parametrize(
    ("role", "disabled", "match"),
    [
        (Role.MODERATOR, False, "moderator role may not decide appeals"),
        (Role.COMPLIANCE, False, "compliance role may not decide appeals"),
        (Role.APPEALS, True, "disabled"),
    ],
)
def test_when_the_appeal_decider_may_not_decide_appeals_then_forbidden(
    db: Database, role: Role, disabled: bool, match: str
) -> None:
    users, service = UserStore(db), CaseService(db)
    case_id = _appealed(service, users.add("alice", Role.MODERATOR))
    other = users.add("carol", role)
    if disabled:
        other = users.disable("carol")
    with pytest.raises(Forbidden, match=match):
        service.decide_appeal(case_id, AppealOutcome.UPHELD, reason="r", actor=other)


def test_when_a_compliance_user_decides_a_case_then_forbidden(db: Database) -> None:
    service = CaseService(db)
    case = service.open(CaseKind.DSA_NOTICE, Item(url="https://example.com/x"))
    auditor = UserStore(db).add("cy", Role.COMPLIANCE)
    with pytest.raises(Forbidden, match="may not decide cases"):
        service.decide(case.id, Action.REMOVE, reason="r", actor=auditor)
