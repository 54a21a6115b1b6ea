"""The appeals queue never offers a reviewer an appeal against their own decision."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from consentgate.cases.records import Action, Appellant, CaseKind
from consentgate.people import Role
from tests.console.pages_kit import Console, console_app, settings_for


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url)) as console:
        yield console


def _appealed(console: Console, decider: str, kind: CaseKind = CaseKind.TAKE_IT_DOWN) -> str:
    case = console.open(kind)
    user = console.users[decider]
    console.services.cases.decide(case.id, Action.REMOVE, reason="shown", actor=user)
    console.services.cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="mine", actor=user)
    return case.id


def _offered(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/console/cases/([0-9a-f]+)"', html)


def test_when_a_reviewer_opens_the_appeals_queue_then_their_own_decisions_are_left_out(
    console: Console,
) -> None:
    console.user("bob", Role.APPEALS)
    console.user("dana", Role.APPEALS)
    bobs = _appealed(console, "bob")
    danas = _appealed(console, "dana")

    console.act_as("bob")
    seen_by_bob = console.client.get("/console/appeals").text
    console.act_as("dana")
    seen_by_dana = console.client.get("/console/appeals").text

    assert _offered(seen_by_bob) == [danas] and "1 on this page is yours" in seen_by_bob
    assert _offered(seen_by_dana) == [bobs]


def test_when_the_decision_was_made_under_another_form_of_the_name_then_it_is_left_out(
    console: Console,
) -> None:
    console.user("bob", Role.APPEALS)
    case = console.open(CaseKind.DSA_NOTICE)
    console.services.cases.decide(case.id, Action.NO_ACTION, reason="fine", actor=" BOB ")
    console.services.cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="no", actor="bob ")
    console.act_as("bob")

    assert _offered(console.client.get("/console/appeals").text) == []


def test_when_a_role_may_not_decide_appeals_then_the_appeals_queue_is_403(
    console: Console,
) -> None:
    console.act_as("alice", Role.MODERATOR)

    answer = console.client.get("/console/appeals")

    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")


def test_when_an_appeal_is_in_a_queue_the_role_does_not_work_then_it_is_not_offered(
    console: Console,
) -> None:
    console.user("admin", Role.ADMIN)
    child = _appealed(console, "admin", CaseKind.CHILD_SAFETY)
    intimate = _appealed(console, "admin")
    console.act_as("bob", Role.APPEALS)

    offered = _offered(console.client.get("/console/appeals").text)

    assert offered == [intimate] and child not in offered
