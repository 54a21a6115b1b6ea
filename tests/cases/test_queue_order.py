"""The child-safety queue under a flood: urgent cases first, unlocated anonymous reports
last, and pages that neither skip nor repeat a case while the queue grows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import InvalidNotice, parse_notice
from consentgate.cases.paging import Cursor
from consentgate.cases.records import CaseKind, Item, Queue
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.cases.conftest import MovableClock


def report(*items: dict[str, str], **extra: Any) -> str:
    body = {
        "kind": "child_safety",
        "explanation": "This post appears to show the abuse of a child.",
        "items": list(items),
        "bona_fide_statement": True,
    }
    return json.dumps(body | extra)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
URL = {"url": "https://social.example/p/1"}
CONTENT_ID = {"content_id": "post-1"}


@pytest.fixture
def intake(db: Database, service: CaseService, clock: MovableClock) -> NoticeService:
    return NoticeService(db, service, clock)


def test_when_reports_arrive_in_any_order_then_urgent_come_first_and_unlocated_anonymous_last(
    intake: NoticeService, service: CaseService, clock: MovableClock
) -> None:
    def submit(body: str) -> str:
        clock.advance(minutes=1)  # each later than the last: deadline order is arrival order
        (case_id,) = intake.submit(parse_notice(body)).cases
        return case_id

    anonymous_unlocated = submit(report(CONTENT_ID))
    anonymous_url = submit(report(URL))
    named_unlocated = submit(report(CONTENT_ID, notifier_name="A. Person"))
    clock.advance(minutes=1)
    automated = service.open(CaseKind.AUTOMATED_ESCALATION, Item(md5="0" * 32)).id
    threat = submit(report(CONTENT_ID, threat_to_life=True))

    listed = [c.id for c in service.list_cases(queue=Queue.CHILD_SAFETY)]
    assert listed == [automated, threat, anonymous_url, named_unlocated, anonymous_unlocated]


@pytest.mark.parametrize(
    ("limits", "kind", "items", "accepted"),
    [
        ({"child_safety": 10}, "child_safety", 10, True),
        ({"child_safety": 10}, "child_safety", 11, False),
        ({"child_safety": 10}, "dsa_notice", 11, True),  # other kinds keep 100
        ({"child_safety": 10, "dsa_notice": 3}, "dsa_notice", 4, False),
    ],
)
def test_when_a_notice_lists_items_then_its_kind_caps_them(
    db: Database,
    service: CaseService,
    limits: dict[str, int],
    kind: str,
    items: int,
    accepted: bool,
) -> None:
    settings = Settings(database_url=db.url, notice_max_items=limits)
    intake = NoticeService(db, CaseService(db, settings, clock=service.clock))
    body = json.loads((EXAMPLES / f"{kind}.json").read_text())
    body["items"] = [{"url": f"https://social.example/p/{n}"} for n in range(items)]
    notice = parse_notice(json.dumps(body))
    if accepted:
        assert len(intake.submit(notice).cases) == items
    else:
        with pytest.raises(InvalidNotice) as caught:
            intake.submit(notice)
        assert [p.field for p in caught.value.fields] == ["items"]
        assert service.list_cases() == []


def test_when_cases_are_read_page_by_page_then_each_is_seen_once_even_as_urgent_ones_arrive(
    service: CaseService, clock: MovableClock
) -> None:
    opened = []
    for n in range(7):
        clock.advance(minutes=1)
        opened.append(service.open(CaseKind.CHILD_SAFETY, Item(url=f"https://x.example/{n}")).id)
    seen: list[str] = []
    cursor: Cursor | None = None
    pages = 0
    while True:
        page, cursor = service.page(limit=3, after=cursor)
        seen.extend(c.id for c in page)
        pages += 1
        if pages == 1:  # an urgent case lands before the pages already read
            service.open(CaseKind.AUTOMATED_ESCALATION, Item(md5="1" * 32))
        if cursor is None:
            break
    assert seen == opened
    assert pages == 3


def test_when_overdue_cases_are_paged_then_each_is_seen_once_in_queue_order(
    service: CaseService, clock: MovableClock
) -> None:
    opened = [
        service.open(CaseKind.CHILD_SAFETY, Item(url=f"https://x.example/{n}")).id for n in range(5)
    ]
    clock.advance(hours=2)  # every one-hour child-safety deadline has passed
    seen: list[str] = []
    cursor: Cursor | None = None
    while True:
        page, cursor = service.overdue_page(limit=2, after=cursor)
        seen.extend(c.id for c, _status in page)
        if cursor is None:
            break
    assert sorted(seen) == sorted(opened)
    assert len(seen) == 5


@pytest.mark.parametrize("given", ["", "not-base64!", "bnVsbA", "WzEsMiwzXQ"])
def test_when_a_cursor_was_not_given_out_then_bad_input(given: str) -> None:
    with pytest.raises(BadInput):
        Cursor.decode(given)
