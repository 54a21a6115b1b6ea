"""The queue page: order, countdowns and clock marks, filters, and the queues a role sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from consentgate.cases.clock import fixed_clock
from consentgate.cases.records import Action, CaseKind
from consentgate.console.pages.access import QUEUE_ACCESS, queues_of
from consentgate.people import Role
from tests.console.pages_kit import Console, console_app, settings_for

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url)) as console:
        console.services.cases.clock = fixed_clock(T0)
        yield console


def _listed_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/console/cases/([0-9a-f]+)"', html)


def test_when_cases_wait_then_the_queue_lists_them_by_priority_then_deadline(
    console: Console,
) -> None:
    other = console.open(CaseKind.DSA_NOTICE)
    late_intimate = console.open(CaseKind.TAKE_IT_DOWN)
    console.services.cases.clock = fixed_clock(T0 - timedelta(hours=5))
    early_intimate = console.open(CaseKind.UK_INTIMATE_IMAGE)
    child = console.open(CaseKind.CHILD_SAFETY)
    console.services.cases.clock = fixed_clock(T0)
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get("/console/queue").text

    assert _listed_ids(html) == [child.id, early_intimate.id, late_intimate.id, other.id]


def test_when_a_case_nears_or_passes_its_deadline_then_it_is_marked_at_risk_or_breached(
    console: Console,
) -> None:
    at_risk = console.open(CaseKind.TAKE_IT_DOWN)  # 48 h: at risk from 36 h on
    console.services.cases.clock = fixed_clock(T0 - timedelta(hours=12))
    breached = console.open(CaseKind.TAKE_IT_DOWN)
    console.services.cases.clock = fixed_clock(T0 + timedelta(hours=40))
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get("/console/queue").text

    rows = dict(
        re.findall(r'<tr data-href="/console/cases/([0-9a-f]+)"[^>]*class="clock-(\w+)"', html)
    )
    assert rows == {breached.id: "breached", at_risk.id: "at_risk"}
    assert ">Breached<" in html and ">At risk<" in html
    assert "overdue by 4h 00m" in html and "8h 00m left" in html  # before clock.js runs
    assert 'data-server-now="2026-12-03T01:00:00+00:00"' in html
    assert "/console/static/clock.js" in html and "/console/static/keys.js" in html


def test_when_filtered_by_queue_kind_or_state_then_only_matching_cases_are_listed(
    console: Console,
) -> None:
    dsa = console.open(CaseKind.DSA_NOTICE)
    takedown = console.open(CaseKind.TAKE_IT_DOWN)
    uk = console.open(CaseKind.UK_INTIMATE_IMAGE)
    alice = console.act_as("alice", Role.MODERATOR)
    console.services.cases.decide(uk.id, Action.REMOVE, reason="shown", actor=alice)

    def listed(query: str) -> list[str]:
        return _listed_ids(console.client.get(f"/console/queue?{query}").text)

    assert listed("queue=other") == [dsa.id]
    assert listed("kind=take_it_down") == [takedown.id]
    assert listed("queue=intimate_images") == [takedown.id]
    assert listed("state=actioned") == [uk.id]
    assert listed("state=actioned&queue=other") == []


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.MODERATOR, {"child_safety", "intimate_images", "other"}),
        (Role.APPEALS, {"intimate_images", "other"}),
        (Role.COMPLIANCE, {"child_safety"}),
        (Role.ADMIN, {"child_safety", "intimate_images", "other"}),
    ],
)
def test_when_a_reviewer_opens_the_queue_then_only_their_roles_queues_are_listed(
    console: Console, role: Role, shown: set[str]
) -> None:
    opened = {
        "child_safety": console.open(CaseKind.CHILD_SAFETY).id,
        "intimate_images": console.open(CaseKind.TAKE_IT_DOWN).id,
        "other": console.open(CaseKind.DSA_NOTICE).id,
    }
    console.act_as("reviewer", role)

    html = console.client.get("/console/queue").text

    assert set(_listed_ids(html)) == {opened[q] for q in shown}
    assert {q.value for q in QUEUE_ACCESS[role]} == shown


@pytest.mark.parametrize("role", [Role.APPEALS, Role.COMPLIANCE])
def test_when_a_reviewer_asks_for_a_queue_their_role_does_not_work_then_403(
    console: Console, role: Role
) -> None:
    console.act_as("reviewer", role)
    works = {q.value for q in queues_of(console.users["reviewer"])}
    hidden = next(q for q in ("child_safety", "other") if q not in works)

    answer = console.client.get(f"/console/queue?queue={hidden}")

    assert answer.status_code == 403
    assert "does not work the" in answer.text


@pytest.mark.parametrize(
    "query",
    ["state=bogus", "queue=nowhere", "kind=x", "after=not-a-cursor", "after=" + "A" * 400],
)
def test_when_a_filter_is_not_one_the_page_offers_then_422_page(
    console: Console, query: str
) -> None:
    console.act_as("alice", Role.MODERATOR)

    answer = console.client.get(f"/console/queue?{query}")

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")


def test_when_the_queue_is_shown_then_the_keys_are_listed_and_no_script_is_inline(
    console: Console,
) -> None:
    console.open(CaseKind.DSA_NOTICE)
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get("/console/queue").text

    keys = [("j", "next case"), ("k", "previous case"), ("Enter", "open"), ("r", "remove"),
            ("n", "no action"), ("e", "escalate"), ("?", "show")]  # fmt: skip
    for key, does in keys:
        assert re.search(rf"<dt><kbd>{re.escape(key)}</kbd></dt><dd>{does}", html), key
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert 'data-may-decide="true"' in html


def test_when_many_cases_wait_then_the_next_page_continues_where_the_first_ended(
    console: Console,
) -> None:
    opened = [console.open(CaseKind.DSA_NOTICE).id for _ in range(55)]
    console.act_as("alice", Role.MODERATOR)

    first = console.client.get("/console/queue?queue=other").text
    after = re.search(r'href="(/console/queue\?[^"]*after=[^"]+)" rel="next"', first)
    assert after is not None
    second = console.client.get(after.group(1).replace("&amp;", "&")).text

    # One deadline for all (a fixed clock): the service's order is then by id.
    assert _listed_ids(first) + _listed_ids(second) == sorted(opened)
    assert len(_listed_ids(first)) == 50
