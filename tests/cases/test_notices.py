"""Notices: each kind's legal fields, one case per item, images hashed and dropped,
and a status page that tells the notifier only about their own notice."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import InvalidNotice, parse_notice
from consentgate.cases.records import AUTOMATED, Action, CaseKind, CaseState, Queue
from consentgate.cases.service import CaseService
from consentgate.errors import NotFound
from consentgate.hashing.image import hash_image_bytes
from consentgate.store.cases_tables import notices
from consentgate.store.database import Database
from tests.api.conftest import png
from tests.cases.conftest import START, MovableClock

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


def example(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def fields_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidNotice) as caught:
        parse_notice(json.dumps(data))
    return [p.field for p in caught.value.fields]


@pytest.fixture
def intake(db: Database, service: CaseService, clock: MovableClock) -> NoticeService:
    return NoticeService(db, service, clock)


# -- the legal fields, kind by kind (no store needed) ----------------------------------


@pytest.mark.parametrize(
    ("kind", "missing", "named"),
    [
        ("dsa_notice", "explanation", "explanation"),  # EU-2 (a)
        ("dsa_notice", "items", "items"),  # EU-2 (b)
        ("dsa_notice", "notifier_name", "notifier_name"),  # EU-2 (c)
        ("dsa_notice", "notifier_email", "notifier_email"),  # EU-2 (c)
        ("dsa_notice", "bona_fide_statement", "bona_fide_statement"),  # EU-2 (d)
        ("take_it_down", "signature", "signature"),  # US-2 (i)
        ("take_it_down", "items", "items"),  # US-2 (ii)
        ("take_it_down", "good_faith_statement", "good_faith_statement"),  # US-2 (iii)
        ("take_it_down", "contact_info", "contact_info"),  # US-2 (iv)
        ("take_it_down", "submitted_by_role", "submitted_by_role"),
        ("uk_intimate_image", "declares_intimate_image_content", "declares_intimate_image_content"),
        (
            "uk_intimate_image",
            "declares_subject_or_acting_for_subject",
            "declares_subject_or_acting_for_subject",
        ),  # UK-11
        ("uk_intimate_image", "declares_good_faith_and_true", "declares_good_faith_and_true"),
        ("uk_intimate_image", "items", "items"),
        ("uk_intimate_image", "contact_details", "contact_details"),
        ("child_safety", "explanation", "explanation"),
        ("child_safety", "items", "items"),
    ],
)
def test_EU_2_US_2_UK_11_when_a_legal_field_is_missing_then_it_is_named(
    kind: str, missing: str, named: str
) -> None:
    assert named in fields_of(example(kind, **{missing: None}))


def test_EU_2_when_several_fields_are_missing_then_every_one_is_named() -> None:
    data = example("dsa_notice", explanation=None, notifier_email=None, bona_fide_statement=False)
    assert fields_of(data) == ["explanation", "notifier_email", "bona_fide_statement"]


def test_EU_2_CS_7_when_a_child_safety_notice_has_no_name_then_accepted() -> None:
    found = parse_notice(json.dumps(example("child_safety")))
    assert found.kind == "child_safety"
    assert found.notifier_name is None and found.notifier_email is None


def test_UK_11_when_acting_for_the_subject_without_a_relationship_then_named() -> None:
    assert fields_of(example("uk_intimate_image", relationship=None)) == ["relationship"]


def test_UK_11_when_the_reporter_is_the_subject_then_no_relationship_is_needed() -> None:
    data = example(
        "uk_intimate_image", relationship=None, declares_subject_or_acting_for_subject="subject"
    )
    assert parse_notice(json.dumps(data)).kind == "uk_intimate_image"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (example("dsa_notice", kind="complaint"), "kind"),
        (example("dsa_notice", kind=None), "kind"),
        (example("dsa_notice", items=[{"description": "somewhere"}]), "items.0"),
        (example("dsa_notice", notifier_email="not an address"), "notifier_email"),
        (example("dsa_notice", explanation="x" * 10_001), "explanation"),
        (example("dsa_notice", explanation="bad \x00 text here"), "explanation"),
        (example("dsa_notice", items=[{"url": "https://social.example/p/1"}] * 101), "items"),
        (example("take_it_down", contact_info={"name": "Sam"}), "contact_info"),
        (example("take_it_down", submitted_by_role="friend"), "submitted_by_role"),
        (example("dsa_notice", extra_field=1), "extra_field"),
    ],
)
def test_when_a_field_is_bad_then_it_is_named(data: dict[str, Any], field: str) -> None:
    assert field in fields_of(data)


def test_when_the_file_is_not_json_then_one_problem() -> None:
    with pytest.raises(InvalidNotice) as caught:
        parse_notice("{not json")
    assert caught.value.message == "not valid JSON"


# -- intake, on both stores ---------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["dsa_notice", "take_it_down", "uk_intimate_image", "child_safety"]
)
def test_when_an_example_is_submitted_then_a_case_per_item_of_its_kind(
    intake: NoticeService, service: CaseService, kind: str
) -> None:
    data = example(kind)
    receipt = intake.submit(parse_notice(json.dumps(data)))
    assert len(receipt.cases) == len(data["items"])
    opened = [service.get(case_id) for case_id in receipt.cases]
    assert {c.kind for c in opened} == {CaseKind(kind)}
    assert {c.notice_id for c in opened} == {receipt.id}
    assert [c.item.url for c in opened] == [i.get("url") for i in data["items"]]


def test_EU_2_when_a_notice_lists_3_urls_then_3_cases(
    intake: NoticeService, service: CaseService
) -> None:
    urls = [f"https://social.example/p/{n}" for n in (1, 2, 3)]
    data = example("dsa_notice", items=[{"url": u} for u in urls])
    receipt = intake.submit(parse_notice(json.dumps(data)))
    assert len(receipt.cases) == 3
    assert sorted(c.item.url or "" for c in service.list_cases()) == urls


def test_EU_3_when_a_notice_is_complete_then_knowledge_at_is_received_at(
    intake: NoticeService,
) -> None:
    receipt = intake.submit(parse_notice(json.dumps(example("dsa_notice"))))
    stored = intake.stored(receipt.id)
    assert receipt.received_at == START
    assert stored.knowledge_at == stored.received_at == START


def test_EU_4_when_contact_details_are_given_then_the_receipt_acknowledges_at_once(
    intake: NoticeService,
) -> None:
    receipt = intake.submit(parse_notice(json.dumps(example("dsa_notice"))))
    assert receipt.tracking_code and receipt.status_url.endswith(receipt.tracking_code)
    ack = intake.stored(receipt.id).data["acknowledgement"]
    assert ack == {"receipt_at": START.isoformat(), "email_due": True}


def test_EU_4_when_the_notifier_is_anonymous_then_no_email_is_due(intake: NoticeService) -> None:
    receipt = intake.submit(parse_notice(json.dumps(example("child_safety"))))
    assert intake.stored(receipt.id).data["acknowledgement"]["email_due"] is False


def test_when_tracking_codes_are_made_then_they_are_long_and_distinct(
    intake: NoticeService,
) -> None:
    notice = parse_notice(json.dumps(example("child_safety")))
    codes = {intake.submit(notice).tracking_code for _ in range(5)}
    assert len(codes) == 5 and all(len(code) >= 20 for code in codes)


def test_when_an_item_is_an_image_then_it_is_hashed_and_never_stored(
    intake: NoticeService, service: CaseService, db: Database
) -> None:
    image = png()
    encoded = base64.b64encode(image).decode()
    data = example("take_it_down", items=[{"image": encoded}])
    receipt = intake.submit(parse_notice(json.dumps(data)))
    hashed = hash_image_bytes(image, draft=False)
    case = service.get(receipt.cases[0])
    assert (case.item.md5, case.item.pdq) == (hashed.md5, hashed.pdq)
    with db.read() as conn:
        row = conn.execute(select(notices).where(notices.c.id == receipt.id)).one()
    kept = json.dumps(row.data)
    assert encoded not in kept and encoded[:40] not in kept
    assert row.data["items"][0]["md5"] == hashed.md5


def test_when_an_image_is_not_an_image_then_its_item_is_named_and_nothing_is_kept(
    intake: NoticeService, service: CaseService
) -> None:
    data = example(
        "take_it_down",
        items=[{"url": "https://social.example/p/1"}, {"image": "bm90IGFuIGltYWdl"}],
    )
    with pytest.raises(InvalidNotice) as caught:
        intake.submit(parse_notice(json.dumps(data)))
    assert [p.field for p in caught.value.fields] == ["items.1.image"]
    assert service.list_cases() == []


def test_US_2_when_the_signature_is_missing_then_no_clock_started(
    intake: NoticeService, service: CaseService
) -> None:
    with pytest.raises(InvalidNotice):
        intake.submit(parse_notice(json.dumps(example("take_it_down", signature=None))))
    assert service.list_cases() == []


def test_US_1_UK_12_when_an_intimate_image_request_is_received_then_its_48_hours_start(
    intake: NoticeService, service: CaseService
) -> None:
    for kind in ("take_it_down", "uk_intimate_image"):
        receipt = intake.submit(parse_notice(json.dumps(example(kind))))
        case = service.get(receipt.cases[0])
        assert case.queue is Queue.INTIMATE_IMAGES
        assert case.deadline_at == START + timedelta(hours=48)


# -- the status page ----------------------------------------------------------------


def test_when_undecided_then_the_status_shows_each_item_open(intake: NoticeService) -> None:
    receipt = intake.submit(parse_notice(json.dumps(example("uk_intimate_image"))))
    found = intake.status(receipt.tracking_code)
    assert [i.state for i in found.items] == [CaseState.OPEN, CaseState.OPEN]
    assert [i.content_id for i in found.items] == ["post-789", None]
    assert all(i.decision is None for i in found.items)


def test_EU_5_when_decided_then_the_status_shows_the_decision_automation_and_redress(
    intake: NoticeService, service: CaseService, clock: MovableClock
) -> None:
    receipt = intake.submit(parse_notice(json.dumps(example("dsa_notice"))))
    clock.advance(hours=2)
    service.decide(receipt.cases[0], Action.REMOVE, reason="non-consensual", actor="alice")
    service.decide(receipt.cases[1], Action.NO_ACTION, reason="not found", actor=AUTOMATED)
    first, second = intake.status(receipt.tracking_code).items
    assert first.state is CaseState.ACTIONED and second.state is CaseState.NO_ACTION
    assert first.decision is not None and second.decision is not None
    assert first.decision.action is Action.REMOVE
    assert first.decision.automation.automated_means_used is False
    assert second.decision.automation.automated_means_used is True
    redress = first.decision.redress
    assert redress.appeal_until == START + timedelta(hours=2, days=183)
    assert "tracking code" in redress.how_to_appeal


def test_when_the_status_is_read_then_it_holds_no_personal_data_and_no_other_notice(
    intake: NoticeService,
) -> None:
    mine = intake.submit(parse_notice(json.dumps(example("dsa_notice"))))
    intake.submit(parse_notice(json.dumps(example("child_safety"))))
    text = intake.status(mine.tracking_code).model_dump_json()
    assert "Alex Example" not in text and "alex@mail.example" not in text
    assert "social.example/p/321" not in text  # the other notice's item


@pytest.mark.parametrize("code", ["unknown-code-unknown-code", "x", "a" * 41, "bad\x00code" * 3])
def test_when_the_tracking_code_is_unknown_then_not_found(intake: NoticeService, code: str) -> None:
    with pytest.raises(NotFound):
        intake.status(code)


def test_when_tracking_codes_are_drawn_then_none_starts_like_an_option() -> None:
    """A code starting with ``-`` was read as an option by ``notice status CODE``."""
    from consentgate.cases.intake import CODE_PATTERN, new_tracking_code

    codes = [new_tracking_code() for _ in range(3000)]
    assert all(c[0].isalnum() and CODE_PATTERN.match(c) and len(c) == 32 for c in codes)
    assert len(set(codes)) == len(codes)
