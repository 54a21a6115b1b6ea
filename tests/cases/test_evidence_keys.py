"""Evidence keys never fail silently: key ids, a wrong key refused, rotation, failed opens."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import select, update

from consentgate.cases.evidence import EvidenceUnreadable, EvidenceVault
from consentgate.cases.evidence_rekey import rekey
from consentgate.cases.evidence_status import OFF_WARNING, check_evidence, evidence_state
from consentgate.cases.records import CaseKind, EventKind, Item
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput, ConfigError
from consentgate.store.cases_tables import case_evidence
from consentgate.store.database import Database

IMAGE = b"\x89PNG benign drawn test bytes " * 10
OLD, NEW = os.urandom(32), os.urandom(32)


def _keep(service: CaseService, vault: EvidenceVault) -> tuple[str, str]:
    case = service.open(CaseKind.CHILD_SAFETY, Item(url="https://example.com/x"))
    with service.db.write() as conn:
        evidence_id = vault.keep(conn, case.id, IMAGE, "image/png", actor="automated")
    assert evidence_id is not None
    return case.id, evidence_id


def _key_ids(db: Database) -> list[str | None]:
    with db.read() as conn:
        return list(
            conn.execute(select(case_evidence.c.key_id).order_by(case_evidence.c.id)).scalars()
        )


def test_when_evidence_is_sealed_then_it_stores_the_id_of_its_key(
    service: CaseService, db: Database
) -> None:
    _keep(service, EvidenceVault(db, service, OLD))
    assert _key_ids(db) == [hashlib.sha256(OLD).digest()[:8].hex()]


@pytest.mark.parametrize(("key", "old_keys", "refused"), [
    (OLD, (), False),          # the key it was sealed with
    (NEW, (), True),           # another key: new evidence would strand the old
    (NEW, (OLD,), False),      # rotation under way: the old key still opens it
    (None, (), False),         # evidence off: warned about, not refused
], ids=["same", "other", "rotating", "off"])  # fmt: skip
def test_CS_2_when_the_configured_key_does_not_open_the_newest_item_then_it_is_refused(
    service: CaseService, db: Database, key: bytes | None, old_keys: tuple[bytes, ...],
    refused: bool,
) -> None:  # fmt: skip
    _keep(service, EvidenceVault(db, service, OLD))
    vault = EvidenceVault(db, service, key, old_keys=old_keys)
    if refused:
        with pytest.raises(ConfigError, match="does not open the newest sealed evidence"):
            check_evidence(vault)
    else:
        assert check_evidence(vault) == (OFF_WARNING if key is None else None)
    assert evidence_state(vault) == ("off" if key is None else "on")


def test_CS_2_when_evidence_is_rekeyed_then_every_item_opens_with_the_new_key_alone_and_it_resumes(
    service: CaseService, db: Database
) -> None:
    kept = [_keep(service, EvidenceVault(db, service, OLD)) for _ in range(3)]
    ids = [evidence_id for _, evidence_id in kept]
    seen: list[tuple[int, int]] = []
    rotating = EvidenceVault(db, service, NEW, old_keys=[OLD])
    done = rekey(rotating, actor="ops", batch=2, progress=lambda n, bad: seen.append((n, bad)))
    assert done.resealed == 3 and done.failed == () and seen == [(2, 0), (3, 0)]
    assert set(_key_ids(db)) == {hashlib.sha256(NEW).digest()[:8].hex()}
    fresh = EvidenceVault(db, service, NEW)
    fresh.check_key()
    assert all(fresh.view(i, actor="a", reason="r")[1] == IMAGE for i in ids)
    assert rekey(rotating, actor="ops").resealed == 0  # nothing left: a rerun is a no-op
    for case_id, _ in kept:
        rekeyed = [e for e in service.history(case_id) if e.kind is EventKind.EVIDENCE_REKEYED]
        assert len(rekeyed) == 1 and rekeyed[0].actor == "ops"


def test_when_a_rekey_is_given_no_key_that_opens_an_item_then_it_is_left_and_audited(
    service: CaseService, db: Database
) -> None:
    case_id, _ = _keep(service, EvidenceVault(db, service, OLD))
    done = rekey(EvidenceVault(db, service, NEW), actor="ops")
    assert done.resealed == 0 and len(done.failed) == 1
    last = service.history(case_id)[-1]
    assert last.kind is EventKind.EVIDENCE_OPEN_FAILED and last.actor == "ops"


@pytest.mark.parametrize(("tamper", "failure"), [
    ("key", "sealed under another key"),
    ("bytes", "does not open"),
])  # fmt: skip
def test_when_evidence_does_not_open_then_the_failed_open_is_an_audit_event(
    service: CaseService, db: Database, tamper: str, failure: str
) -> None:
    case_id, evidence_id = _keep(service, EvidenceVault(db, service, OLD))
    vault = EvidenceVault(db, service, NEW if tamper == "key" else OLD)
    if tamper == "bytes":
        with db.write() as conn:
            stored = conn.execute(select(case_evidence.c.ciphertext)).scalar_one()
            altered = bytes([stored[0] ^ 1]) + stored[1:]
            conn.execute(update(case_evidence).values(ciphertext=altered))
    with pytest.raises(EvidenceUnreadable, match=failure):
        vault.view(evidence_id, actor="mallory", reason="curious")
    last = service.history(case_id)[-1]
    assert last.kind is EventKind.EVIDENCE_OPEN_FAILED
    assert (last.actor, last.reason, last.data["failure"]) == ("mallory", "curious", failure)


def test_when_delivering_the_bytes_fails_then_no_view_is_recorded(
    service: CaseService, db: Database
) -> None:
    case_id, evidence_id = _keep(service, EvidenceVault(db, service, OLD))

    def broken(_data: bytes) -> None:
        raise BadInput("disk full", field="output")

    with pytest.raises(BadInput):
        EvidenceVault(db, service, OLD).view(evidence_id, actor="a", reason="r", deliver=broken)
    kinds = [e.kind for e in service.history(case_id)]
    assert EventKind.EVIDENCE_VIEWED not in kinds
