"""Child-safety evidence: sealed at rest, kept a year or on hold, every view in the audit chain."""

from __future__ import annotations

import base64
import os
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from consentgate.audit import chain
from consentgate.cases.evidence import EvidenceUnreadable, EvidenceVault
from consentgate.cases.records import CaseKind, EventKind, Item
from consentgate.cases.service import CaseService
from consentgate.errors import NotFound
from consentgate.settings import Settings
from consentgate.store.cases_tables import case_evidence
from consentgate.store.database import Database
from tests.cases.conftest import START, MovableClock

IMAGE = b"\x89PNG benign drawn test bytes " * 10
KEY = os.urandom(32)


def _kept(service: CaseService, vault: EvidenceVault) -> tuple[str, str]:
    case = service.open(CaseKind.CHILD_SAFETY, Item(url="https://example.com/x"))
    with service.db.write() as conn:
        evidence_id = vault.keep(conn, case.id, IMAGE, "image/png", actor="automated")
    assert evidence_id is not None
    return case.id, evidence_id


def test_CS_5_when_evidence_is_kept_then_only_ciphertext_is_stored_and_a_view_is_logged(
    service: CaseService, db: Database
) -> None:
    vault = EvidenceVault(db, service, KEY)
    case_id, evidence_id = _kept(service, vault)
    with db.read() as conn:
        stored = conn.execute(select(case_evidence.c.ciphertext)).scalar_one()
    assert IMAGE not in stored and b"benign" not in stored
    record, data = vault.view(evidence_id, actor="alice", reason="NCMEC report")
    assert data == IMAGE and record.case_id == case_id
    kinds = [e.kind for e in service.history(case_id)]
    assert kinds == [EventKind.RECEIVED, EventKind.EVIDENCE_KEPT, EventKind.EVIDENCE_VIEWED]
    viewed = service.history(case_id)[-1]
    assert viewed.actor == "alice" and viewed.data == {"evidence_id": evidence_id}
    with db.read() as conn:
        chain.verify(conn)


def test_CS_2_when_evidence_is_younger_than_a_year_or_on_hold_then_it_is_not_purged(
    service: CaseService, db: Database, clock: MovableClock
) -> None:
    vault = EvidenceVault(db, service, KEY)
    _, young = _kept(service, vault)
    _, held = _kept(service, vault)
    vault.hold(held, on=True, actor="legal", reason="court order")
    assert vault.purge(START + timedelta(days=364)) == 0
    assert vault.purge(START + timedelta(days=365)) == 1
    with pytest.raises(NotFound, match="purged"):
        vault.view(young, actor="alice", reason="late look")
    assert vault.view(held, actor="alice", reason="court")[1] == IMAGE


def test_CS_4_when_evidence_is_purged_then_its_record_and_hash_remain(
    service: CaseService, db: Database
) -> None:
    vault = EvidenceVault(db, service, KEY)
    case_id, _ = _kept(service, vault)
    vault.purge(START + timedelta(days=366))
    (record,) = vault.list(case_id)
    assert record.purged_at is not None and len(record.sha256) == 64
    assert service.history(case_id)[-1].kind is EventKind.EVIDENCE_PURGED


def test_when_no_key_is_configured_then_nothing_is_kept_and_the_case_says_why(
    service: CaseService, db: Database
) -> None:
    vault = EvidenceVault(db, service, None)
    case = service.open(CaseKind.CHILD_SAFETY, Item())
    with db.write() as conn:
        assert vault.keep(conn, case.id, IMAGE, "image/png", actor="automated") is None
    last = service.history(case.id)[-1]
    assert last.kind is EventKind.EVIDENCE_KEPT and last.data["kept"] is False
    assert "CONSENTGATE_EVIDENCE_KEY" in last.reason
    assert vault.list(case.id) == []


def test_when_the_key_is_wrong_then_evidence_does_not_open(
    service: CaseService, db: Database
) -> None:
    _, evidence_id = _kept(service, EvidenceVault(db, service, KEY))
    with pytest.raises(EvidenceUnreadable):
        EvidenceVault(db, service, os.urandom(32)).view(evidence_id, actor="a", reason="r")


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_when_the_evidence_key_setting_is_not_32_bytes_then_settings_refuse_it(key: str) -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(evidence_key=key)  # type: ignore[arg-type]


def test_when_retention_is_set_below_a_year_then_settings_refuse_it() -> None:
    with pytest.raises(ValidationError):
        Settings(evidence_retention_days=364)
