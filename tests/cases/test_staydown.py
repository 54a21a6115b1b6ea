"""Stay-down: a removed item's copies and near-copies are blocked from then on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.audit import chain
from consentgate.banks import repository as repo
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.records import BankKind, EntryStatus
from consentgate.banks.retro import record_screened
from consentgate.cases import outbox, staydown
from consentgate.cases.actions import action_hook
from consentgate.cases.automated import AutomatedCases
from consentgate.cases.records import (
    AppealOutcome,
    Appellant,
    CaseEvent,
    CaseKind,
    EventKind,
    Item,
    Queue,
)
from consentgate.cases.service import CaseService
from consentgate.detectors.base import DetectorContext
from consentgate.detectors.hash_match import HashMatchDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.hashing.image import hash_image_bytes
from consentgate.policy.loader import load_policy
from consentgate.records import Mode, ScreenRequest, Verdict
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.cases.actionkit import hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock
from tests.fakes import CoversAllFake
from tests.hashing.samples import jpeg, rgb

ORIGINAL = jpeg(rgb("astronaut"))


def item_of(image: bytes) -> Item:
    hashes = hash_image_bytes(image)
    return Item(
        url="https://platform.example/p/9",
        md5=hashes.md5,
        pdq=hashes.pdq,
        pdq_quality=hashes.quality,
    )


@pytest.fixture
def matcher(db: Database) -> Iterator[BankMatcher]:
    found = BankMatcher(db)
    yield found
    found.close()


@pytest.fixture
def engine(matcher: BankMatcher) -> Iterator[ScreeningEngine]:
    """The real hash matcher over the store; a fake covers every other label."""
    context = DetectorContext(settings=Settings(), hash_lookup=matcher)
    registry = DetectorRegistry([HashMatchDetector.from_context(context), CoversAllFake()])
    built = ScreeningEngine(registry, load_policy(), settings=Settings())
    yield built
    built.close()


@pytest.fixture
def cases(db: Database, clock: MovableClock) -> CaseService:
    return hooked(db, webhook_settings(db), clock)


def screen(engine: ScreeningEngine, matcher: BankMatcher, image: bytes) -> Verdict:
    matcher.refresh()  # what the worker's poller does within index_refresh_s
    decision = engine.screen(ScreenRequest(mode=Mode.UPLOAD, output_image=image))
    if decision.decision is Verdict.BLOCK:
        assert "R2" in [r.rule for r in decision.reasons]
    return decision.decision


def test_US_4_when_an_item_is_removed_then_a_reencoded_copy_is_blocked_by_screen(
    cases: CaseService, engine: ScreeningEngine, matcher: BankMatcher
) -> None:
    copy = jpeg(rgb("astronaut"), quality=55)  # the same picture, re-encoded
    assert copy != ORIGINAL
    assert screen(engine, matcher, copy) is Verdict.ALLOW
    removed(cases, item_of(ORIGINAL))
    assert screen(engine, matcher, copy) is Verdict.BLOCK
    assert screen(engine, matcher, ORIGINAL) is Verdict.BLOCK  # the identical file (MD5)
    assert screen(engine, matcher, jpeg(rgb("coffee"))) is Verdict.ALLOW


def test_UK_12_when_an_item_is_removed_then_substantially_the_same_content_is_blocked(
    cases: CaseService, engine: ScreeningEngine, matcher: BankMatcher
) -> None:
    resized = jpeg(rgb("astronaut"), long_side=300, quality=70)
    removed(cases, item_of(ORIGINAL))
    assert screen(engine, matcher, resized) is Verdict.BLOCK


def test_when_an_item_is_removed_then_its_stay_down_entry_commits_with_the_decision(
    db: Database, cases: CaseService
) -> None:
    case = removed(cases, item_of(ORIGINAL))
    with db.read() as conn:
        bank = repo.get_bank(conn, staydown.BANK)
        (entry,) = repo.list_entries(conn, bank.id)
        (action,) = outbox.of_case(conn, case.id)
    assert bank.kind is BankKind.TAKEDOWN
    assert (entry.external_id, entry.status) == (case.id, EntryStatus.ACTIVE)
    assert entry.md5 == item_of(ORIGINAL).md5
    assert action.payload["stay_down"] == {
        "bank": staydown.BANK,
        "entry_id": entry.id,
        "copies_found": 0,
    }
    changed = [e.data for e in _events(db) if e.kind is EventKind.BANK_CHANGED]
    assert [c["change"] for c in changed] == ["bank_created", "entries_added"]
    assert changed[1] | {"entry_ids": [entry.id]} == {
        "change": "entries_added",
        "bank": staydown.BANK,
        "bank_kind": "takedown",
        "entries": 1,
        "entry_ids": [entry.id],
        "case": case.id,
    }


def test_when_an_item_without_hashes_is_removed_then_no_entry_is_made(
    db: Database, cases: CaseService
) -> None:
    removed(cases, Item(url="https://platform.example/p/10"))
    with db.read() as conn:
        assert [b.name for b in repo.list_banks(conn)] == []


def test_when_a_removal_is_reversed_then_the_entry_is_withdrawn_and_the_copy_no_longer_blocked(
    db: Database, cases: CaseService, engine: ScreeningEngine, matcher: BankMatcher
) -> None:
    copy = jpeg(rgb("astronaut"), quality=55)
    case = removed(cases, item_of(ORIGINAL))
    assert screen(engine, matcher, copy) is Verdict.BLOCK
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="I consented", actor="uploader")
    cases.decide_appeal(case.id, AppealOutcome.REVERSED, reason="consent shown", actor="lead-b")
    with db.read() as conn:
        (entry,) = repo.list_entries(conn, repo.get_bank(conn, staydown.BANK).id)
    assert entry.status is EntryStatus.WITHDRAWN
    assert screen(engine, matcher, copy) is Verdict.ALLOW
    changes = [e.data["change"] for e in _events(db) if e.kind is EventKind.BANK_CHANGED]
    assert changes == ["bank_created", "entries_added", "entry_withdrawn"]


def test_when_a_reversal_is_upheld_then_the_entry_stays(db: Database, cases: CaseService) -> None:
    case = removed(cases, item_of(ORIGINAL))
    cases.appeal(case.id, by=Appellant.AFFECTED_USER, text="please", actor="uploader")
    cases.decide_appeal(case.id, AppealOutcome.UPHELD, reason="no consent", actor="lead-b")
    with db.read() as conn:
        (entry,) = repo.list_entries(conn, repo.get_bank(conn, staydown.BANK).id)
    assert entry.status is EntryStatus.ACTIVE


def _events(db: Database) -> list[CaseEvent]:
    with db.read() as conn:
        return list(chain.events(conn))


def test_UK_12_when_an_item_is_removed_then_copies_screened_before_open_retro_match_cases(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = CaseService(db, settings, clock=clock)
    cases.hooks.append(action_hook(settings, observer=AutomatedCases(cases)))
    earlier = hash_image_bytes(jpeg(rgb("astronaut"), long_side=300, quality=70))
    with db.write() as conn:
        record_screened(
            conn,
            decision_id="d-earlier-copy",
            target="output_image",
            pdq=earlier.pdq,
            quality=earlier.quality,
            md5=earlier.md5,
            screened_at=clock.now,
        )
    case = removed(cases, item_of(ORIGINAL))
    with db.read() as conn:
        (action,) = outbox.of_case(conn, case.id)
    assert action.payload["stay_down"]["copies_found"] == 1
    (found,) = cases.list_cases(queue=Queue.INTIMATE_IMAGES)
    assert (found.kind, found.item.decision_id) == (CaseKind.RETRO_MATCH, "d-earlier-copy")
