"""Agency references kept on the case (CS-4), the list of cases awaiting a report (CS-1), and
evidence kept a year past the report (CS-2, CS-4)."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from consentgate.cases.evidence import EvidenceUnreadable, EvidenceVault
from consentgate.cases.records import Action
from consentgate.errors import BadInput, Conflict, Forbidden
from consentgate.escalations.listing import list_escalations
from consentgate.escalations.records import Agency, ExportFormat, Priority
from consentgate.escalations.service import EscalationService, years_after
from tests.escalations.conftest import Desk, settings_for


def test_CS_4_when_the_nca_reference_is_recorded_then_it_is_kept_five_years_and_the_evidence_a_year_past_the_report(  # noqa: E501
    desk: Desk,
) -> None:
    (sealed,) = desk.vault.list(desk.upload_case)
    kept_at = sealed.kept_at.replace(tzinfo=UTC)  # SQLite gives it back without a zone
    reported = kept_at + timedelta(days=100)  # the report went out 100 days later
    desk.clock.now = reported + timedelta(hours=1)
    done = desk.service.record_reference(
        desk.upload_case, Agency.NCA, "NCA/2026/000123", actor=desk.carol, reported_at=reported
    )
    assert done.retain_until == years_after(reported, 5) and done.priority is Priority(2)
    (kept,) = desk.vault.list(desk.upload_case)
    assert kept.retain_until.replace(tzinfo=UTC) == reported + timedelta(days=365)
    desk.vault.purge(kept_at + timedelta(days=366))  # kept_at + 365 days would purge it here
    assert desk.vault.list(desk.upload_case)[0].purged_at is None
    desk.vault.purge(reported + timedelta(days=366))
    assert desk.vault.list(desk.upload_case)[0].purged_at is not None
    later = list_escalations(desk.db)  # the reference outlives the content
    (status,) = [s for s in later if s.case_id == desk.upload_case]
    assert [r.reference for r in status.reports] == ["NCA/2026/000123"]
    (event,) = [e for e in desk.cases.history(desk.upload_case) if e.kind == "agency_reported"]
    assert event.actor == "carol" and event.data["evidence_extended"] == 1
    assert event.data["reference"] == "NCA/2026/000123"


def test_CS_4_when_a_report_is_recorded_on_29_february_then_it_is_kept_to_28_february() -> None:
    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert years_after(leap, 5) == datetime(2033, 2, 28, 12, tzinfo=UTC)


def test_CS_1_when_a_reference_is_recorded_then_the_case_no_longer_awaits_a_report(
    desk: Desk,
) -> None:
    due = [s.case_id for s in list_escalations(desk.db, due_only=True)]
    assert due[0] == desk.notice_case  # priority 1 (a threat to life) first
    assert set(due) == {desk.notice_case, desk.upload_case, desk.generated_case}
    desk.service.record_reference(desk.notice_case, Agency.NCMEC, "98765", actor=desk.carol)
    desk.cases.decide(desk.generated_case, Action.NO_ACTION, reason="a drawing", actor="alice")
    assert [s.case_id for s in list_escalations(desk.db, due_only=True)] == [desk.upload_case]
    xml = desk.service.export(desk.notice_case, ExportFormat.NCMEC_XML, actor=desk.carol)
    assert b"<reportId>98765</reportId>" in xml  # file details name NCMEC's report id


@pytest.mark.parametrize(
    ("agency", "reference", "priority", "field"),
    [
        (Agency.NCMEC, "CT-123", None, "reference"),  # NCMEC's ids are numbers
        (Agency.NCMEC, "123", Priority.IMMEDIATE, "priority"),
        (Agency.NCA, "bad ref", None, "reference"),
        (Agency.NCA, "x" * 101, None, "reference"),
        (Agency.NCA, "", None, "reference"),
    ],
)
def test_when_a_reference_is_malformed_then_bad_input_naming_the_field(
    desk: Desk, agency: Agency, reference: str, priority: Priority | None, field: str
) -> None:
    with pytest.raises(BadInput) as caught:
        desk.service.record_reference(
            desk.upload_case, agency, reference, actor=desk.carol, priority=priority
        )
    assert caught.value.field == field
    assert "agency_reported" not in desk.kinds(desk.upload_case)


def test_when_a_reference_is_recorded_twice_then_conflict(desk: Desk) -> None:
    desk.service.record_reference(desk.upload_case, Agency.NCMEC, "555", actor=desk.carol)
    with pytest.raises(Conflict):
        desk.service.record_reference(desk.generated_case, Agency.NCMEC, "555", actor=desk.carol)
    assert "agency_reported" not in desk.kinds(desk.generated_case)


def test_when_the_report_time_is_impossible_then_bad_input(desk: Desk) -> None:
    for at in (desk.clock.now + timedelta(days=1), desk.clock.now - timedelta(days=30)):
        with pytest.raises(BadInput) as caught:
            desk.service.record_reference(
                desk.upload_case, Agency.NCA, "NCA-1", actor=desk.carol, reported_at=at
            )
        assert caught.value.field == "at"


def test_when_a_moderator_records_a_reference_then_forbidden(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        desk.service.record_reference(desk.upload_case, Agency.NCA, "NCA-2", actor=desk.mo)


def test_when_the_evidence_key_is_wrong_then_the_failed_open_is_recorded_and_no_export(
    desk: Desk,
) -> None:
    other = SecretStr(base64.b64encode(os.urandom(32)).decode())
    settings = settings_for(desk.db, evidence_key=other)
    vault = EvidenceVault.from_settings(desk.db, desk.cases, settings)
    service = EscalationService(desk.db, desk.cases, vault, settings)
    with pytest.raises(EvidenceUnreadable):
        service.export(desk.upload_case, ExportFormat.NCA_JSON, actor=desk.carol,
                       include_evidence=True)  # fmt: skip
    kinds = desk.kinds(desk.upload_case)
    assert kinds[-1] == "evidence_open_failed" and "report_exported" not in kinds
