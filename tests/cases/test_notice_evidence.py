"""Child-safety notices: reported images sealed as evidence, threats to life escalated."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import EventKind
from consentgate.cases.service import CaseService
from consentgate.store.database import Database
from tests.api.conftest import png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


def _notice(kind: str, **extra: object) -> str:
    data = json.loads((EXAMPLES / f"{kind}.json").read_text())
    data["items"] = [{"image": base64.b64encode(png()).decode()}]
    return json.dumps(data | extra)


def test_CS_2_when_a_child_safety_notice_carries_an_image_then_it_is_sealed_as_evidence(
    db: Database, service: CaseService
) -> None:
    vault = EvidenceVault(db, service, os.urandom(32))
    receipt = NoticeService(db, service, vault=vault).submit(parse_notice(_notice("child_safety")))
    (case_id,) = receipt.cases
    (record,) = vault.list(case_id)
    assert record.media_type == "image/png"
    assert vault.view(record.id, actor="alice", reason="report")[1] == png()


def test_when_another_kind_of_notice_carries_an_image_then_nothing_is_kept(
    db: Database, service: CaseService
) -> None:
    vault = EvidenceVault(db, service, os.urandom(32))
    receipt = NoticeService(db, service, vault=vault).submit(parse_notice(_notice("take_it_down")))
    assert vault.list(receipt.cases[0]) == []
    kinds = {e.kind for e in service.history(receipt.cases[0])}
    assert EventKind.EVIDENCE_KEPT not in kinds


def test_EU_10_when_a_notice_reports_a_threat_to_life_then_its_case_is_escalated(
    db: Database, service: CaseService
) -> None:
    raw = _notice("child_safety", threat_to_life=True)
    receipt = NoticeService(db, service).submit(parse_notice(raw))
    case = service.get(receipt.cases[0])
    assert case.escalated
    assert EventKind.ESCALATED in {e.kind for e in service.history(case.id)}
