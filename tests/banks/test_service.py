"""The bank service against the real store: SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from consentgate.banks.records import BankKind, EntryStatus
from consentgate.banks.service import BankService
from consentgate.errors import BadInput, Conflict, NotFound
from tests.banks.conftest import near, random_pdq


def test_when_bank_is_created_then_it_is_listed_with_its_settings(service: BankService) -> None:
    service.create_bank("victims", "ncii", threshold=20, description="StopNCII")
    service.create_bank("known-benign", BankKind.NEGATIVE)
    banks = {b.name: b for b in service.list_banks()}
    assert banks["victims"].kind is BankKind.NCII
    assert banks["victims"].threshold == 20
    assert banks["victims"].enabled
    assert banks["known-benign"].kind is BankKind.NEGATIVE
    assert banks["victims"].created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "x", "kind": "nope"}, "kind"),
        ({"name": "x", "kind": "ncii", "threshold": 32}, "threshold"),
        ({"name": "bad name!", "kind": "ncii"}, "name"),
    ],
)
def test_when_bank_settings_are_invalid_then_nothing_is_created(
    service: BankService, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(BadInput) as caught:
        service.create_bank(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert service.list_banks() == []


def test_when_bank_name_is_taken_then_conflict(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    with pytest.raises(Conflict):
        service.create_bank("victims", "csam")


def test_when_entry_is_added_then_it_matches_with_its_metadata(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    pdq = random_pdq(1)
    added = service.add_entry(
        "victims", pdq=pdq, pdq_quality=90, source="stopncii", external_id="case-7", added_by="ops"
    )
    assert added.entry.status is EntryStatus.ACTIVE
    assert (added.entry.source, added.entry.external_id, added.entry.added_by) == (
        "stopncii",
        "case-7",
        "ops",
    )
    result = service.match(pdq=near(pdq, 31))
    assert [(m.bank, m.entry, m.distance) for m in result.matches] == [
        ("victims", str(added.entry.id), 31)
    ]
    assert service.match(pdq=near(pdq, 32)).matches == ()


def test_when_entry_is_withdrawn_then_it_stops_matching_at_once(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    pdq = random_pdq(2)
    entry = service.add_entry("victims", pdq=pdq).entry
    assert service.match(pdq=pdq).matches
    withdrawn = service.withdraw(entry.id, reason="person withdrew")
    assert withdrawn.status is EntryStatus.WITHDRAWN
    assert service.match(pdq=pdq).matches == ()


def test_when_entry_is_deleted_then_its_hashes_are_wiped(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    entry = service.add_entry("victims", pdq=random_pdq(3), md5="a" * 32).entry
    deleted = service.withdraw(entry.id, delete=True)
    assert (deleted.status, deleted.pdq, deleted.md5) == (EntryStatus.DELETED, None, None)
    with pytest.raises(BadInput):
        service.reinstate(entry.id)


def test_when_bank_is_disabled_or_tightened_then_matching_follows(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    pdq = random_pdq(4)
    service.add_entry("victims", pdq=pdq)
    query = near(pdq, 20)
    assert service.match(pdq=query).matches
    service.update_bank("victims", threshold=10)
    assert service.match(pdq=query).matches == ()
    service.update_bank("victims", threshold=31, enabled=False)
    assert service.match(pdq=query).matches == ()
    service.update_bank("victims", enabled=True)
    assert service.match(pdq=query).matches


def test_when_query_quality_is_low_then_pdq_is_not_matched_but_md5_is(
    service: BankService,
) -> None:
    service.create_bank("victims", "ncii")
    pdq, md5 = random_pdq(5), "b" * 32
    service.add_entry("victims", pdq=pdq, md5=md5)
    low = service.match(pdq=pdq, quality=49)
    assert low.low_quality and low.matches == ()
    assert [m.hash_type for m in service.match(pdq=pdq, quality=49, md5=md5).matches] == ["md5"]
    assert service.match(pdq=pdq, quality=50).matches


def test_when_low_quality_entry_is_added_then_it_is_refused(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    with pytest.raises(BadInput, match="quality"):
        service.add_entry("victims", pdq=random_pdq(6), pdq_quality=30)


def test_when_same_hash_is_added_twice_then_the_second_is_refused(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    pdq = random_pdq(7)
    service.add_entry("victims", pdq=pdq)
    with pytest.raises(BadInput, match="already"):
        service.add_entry("victims", pdq=pdq.upper())


def test_when_bank_or_entry_is_unknown_then_not_found(service: BankService) -> None:
    with pytest.raises(NotFound):
        service.add_entry("nobody", pdq=random_pdq(8))
    with pytest.raises(NotFound):
        service.withdraw(12345)


def test_when_negative_bank_matches_closer_then_positive_match_is_suppressed(
    service: BankService,
) -> None:
    service.create_bank("victims", "ncii")
    service.create_bank("children", "csam")
    service.create_bank("benign", "negative")
    banked = random_pdq(9)
    service.add_entry("victims", pdq=banked)
    service.add_entry("children", pdq=banked)
    meme = near(banked, 25)
    service.add_entry("benign", pdq=meme)
    result = service.match(pdq=near(meme, 2, seed=1))
    assert {m.bank for m in result.matches} == {"children"}  # csam is never suppressed
    assert {m.bank for m in result.suppressed} == {"victims"}
    exact = service.match(pdq=banked)
    assert {m.bank for m in exact.matches} == {"victims", "children"}


def test_when_flood_limit_is_passed_then_entry_is_quarantined_and_stops_matching(
    service: BankService,
) -> None:
    service.create_bank("noisy", "custom", flood_max_matches=3, flood_window_s=3600)
    pdq = random_pdq(10)
    entry = service.add_entry("noisy", pdq=pdq).entry
    for seed in range(3):  # three distinct images, each sent again and again: no flood
        for _ in range(5):
            service.match(pdq=near(pdq, 20, seed=seed))
    assert service.get_entry(entry.id).status is EntryStatus.ACTIVE
    service.match(pdq=near(pdq, 20, seed=3))  # a fourth distinct image passes the limit
    stored = service.get_entry(entry.id)
    assert stored.status is EntryStatus.QUARANTINED
    assert stored.status_reason and "flood" in stored.status_reason
    assert service.match(pdq=pdq).matches == ()
    service.reinstate(entry.id)
    assert service.match(pdq=pdq).matches


def test_when_screened_content_matches_a_new_entry_then_a_finding_is_recorded(
    service: BankService,
) -> None:
    service.create_bank("victims", "ncii")
    pdq = random_pdq(11)
    screened = service.record_screened("decision-1", near(pdq, 12), 100, "c" * 32)
    service.record_screened("decision-2", random_pdq(12), 100, None)
    service.record_screened("decision-3", near(pdq, 3), 20, None)  # low quality: ignored
    added = service.add_entry("victims", pdq=pdq)
    assert [(f.decision_id, f.distance, f.screened_id) for f in added.findings] == [
        ("decision-1", 12, screened)
    ]
    by_md5 = service.add_entry("victims", md5="c" * 32)
    assert [(f.hash_type, f.decision_id) for f in by_md5.findings] == [("md5", "decision-1")]
    assert len(service.findings(bank="victims")) == 2
