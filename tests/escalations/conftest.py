"""A store with child-safety cases to report: a notice reporting a threat to life, an upload
blocked under R1, and a generated image blocked under R1, each with its image sealed.

The images are benign drawings (``tests.api.conftest.png``): the harmful side is the
case's kind and rules, never the pixels.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from sqlalchemy import insert

from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import AUTOMATED, CaseKind, EventKind, Item
from consentgate.cases.service import CaseService
from consentgate.escalations.service import EscalationService
from consentgate.people import Role, User
from consentgate.service.users import UserStore
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.service_tables import decisions
from tests.api.conftest import b64, png
from tests.cases.conftest import MovableClock, clock, db  # noqa: F401  (fixtures)

KEY = os.urandom(32)


@dataclass
class Desk:
    db: Database
    cases: CaseService
    vault: EvidenceVault
    service: EscalationService
    clock: MovableClock
    carol: User  # compliance
    mo: User  # moderator
    notice_case: str
    upload_case: str
    generated_case: str
    image: bytes

    def kinds(self, case_id: str) -> list[str]:
        return [e.kind.value for e in self.cases.history(case_id)]


def settings_for(store: Database, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": store.url,
        "evidence_key": SecretStr(base64.b64encode(KEY).decode()),
        "reporter_first_name": "Sam",
        "reporter_last_name": "Reed",
        "reporter_email": "safety@example.org",
        "reporter_phone": "+44 20 7946 0000",
        "provider_name": "Example Ltd",
    } | overrides
    return Settings(**values)  # type: ignore[arg-type]


def screened_case(desk_db: Database, cases: CaseService, vault: EvidenceVault, mode: str,
                  image: bytes) -> str:  # fmt: skip
    """An R1 escalation of a screen in ``mode``: its decision row, case and sealed image."""
    decision_id = uuid.uuid4().hex
    target = "source_image" if mode == "upload" else "output_image"
    md5, sha = hashlib.md5(image).hexdigest(), hashlib.sha256(image).hexdigest()
    hashes = {"target": target, "md5": md5, "sha256": sha, "pdq": "f" * 64, "pdq_quality": 90}
    with desk_db.write() as conn:
        conn.execute(
            insert(decisions).values(
                id=decision_id, created=cases.clock(), key_id=None, request_id="req-77",
                mode=mode, verdict="block", rules=["R1"], escalate=True, policy_id="default",
                policy_version="1", image_hashes=[hashes], record={},
            )
        )  # fmt: skip
        case = cases.open(
            CaseKind.AUTOMATED_ESCALATION,
            Item(decision_id=decision_id, md5=md5, pdq="f" * 64),
            conn=conn,
        )
        cases.record(case.id, EventKind.ESCALATED, actor=AUTOMATED, conn=conn)
        vault.keep(conn, case.id, image, "image/png", actor=AUTOMATED)
    return case.id


@pytest.fixture
def desk(db: Database, clock: MovableClock) -> Desk:  # noqa: F811
    settings = settings_for(db)
    cases = CaseService(db, settings, clock=clock)
    vault = EvidenceVault.from_settings(db, cases, settings)
    users = UserStore(db)
    carol, mo = users.add("carol", Role.COMPLIANCE), users.add("mo", Role.MODERATOR)
    image = png()
    notice = {
        "kind": "child_safety",
        "explanation": "a child is in danger in this picture",
        "items": [{"image": b64(image)}],
        "bona_fide_statement": True,
        "threat_to_life": True,
    }
    receipt = NoticeService(db, cases, clock, vault=vault).submit(parse_notice(json.dumps(notice)))
    clock.advance(minutes=5)
    upload = screened_case(db, cases, vault, "upload", png(80, 60))
    generated = screened_case(db, cases, vault, "generate", png(96, 64))
    clock.advance(minutes=5)
    service = EscalationService(db, cases, vault, settings)
    return Desk(db, cases, vault, service, clock, carol, mo, receipt.cases[0], upload, generated,
                image)  # fmt: skip
