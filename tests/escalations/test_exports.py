"""Child-safety exports: the CyberTipline XML in its schema's order (CS-1), the NCA report with
Schedule 1's fields and priority (UK-17, CS-3), images only when asked, every export recorded."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest

from consentgate.cases.records import Action, CaseKind, Item
from consentgate.errors import BadInput, Conflict, Forbidden
from consentgate.escalations.records import ExportFormat, Priority
from consentgate.escalations.service import EscalationService, ReporterMissing
from tests.escalations.conftest import Desk, settings_for

# The sequences of NCMEC's CyberTipline XSD (regulation §b6, checked against the schema).
REPORT = ["batchedReport", "incidentSummary", "internetDetails", "lawEnforcement", "reporter",
          "personOrUserReported", "intendedRecipient", "victim", "additionalInfo"]  # fmt: skip
SUMMARY = ["incidentType", "platform", "escalateToHighPriority", "reportAnnotations",
           "incidentDateTime", "incidentDateTimeDescription"]  # fmt: skip
REPORTER = ["reportingPerson", "contactPerson", "companyTemplate", "termsOfService", "legalURL"]
PERSON = ["firstName", "lastName", "phone", "email", "address", "age", "dateOfBirth"]
WEB_PAGE = ["url", "additionalInfo"]
FILE_DETAILS = ["reportId", "fileId", "fileName", "originalFileName", "uploadedToEspTimestamp",
                "locationOfFile", "fileViewedByEsp", "exifViewedByEsp", "publiclyAvailable",
                "fileRelevance", "potentialMeme", "fileAnnotations", "industryClassification",
                "originalFileHash", "ipCaptureEvent", "deviceId", "details",
                "additionalInfo"]  # fmt: skip
INCIDENT_TYPES = {
    "Child Pornography (possession, manufacture, and distribution)", "Child Sex Trafficking",
    "Child Sex Tourism", "Child Sexual Molestation", "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
}  # fmt: skip


def in_order(element: ET.Element, sequence: Sequence[str]) -> list[str]:
    """The children's tags, asserting each is in ``sequence`` and none comes before an earlier."""
    tags = [child.tag for child in element]
    positions = [sequence.index(tag) for tag in tags]  # ValueError: a tag the schema lacks
    assert positions == sorted(positions), tags
    return tags


def xml_of(desk: Desk, case_id: str, **options: object) -> ET.Element:
    body = desk.service.export(case_id, ExportFormat.NCMEC_XML, actor=desk.carol, **options)  # type: ignore[arg-type]
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(body)


@pytest.mark.parametrize("which", ["notice_case", "upload_case", "generated_case"])
def test_CS_1_when_a_case_is_exported_for_ncmec_then_every_element_follows_the_schema_order(
    desk: Desk, which: str
) -> None:
    root = xml_of(desk, getattr(desk, which))
    (report,) = root.findall("report")
    assert in_order(report, REPORT)[:2] == ["incidentSummary", "internetDetails"]
    summary = report.find("incidentSummary")
    assert summary is not None
    in_order(summary, SUMMARY)
    assert summary.findtext("incidentType") in INCIDENT_TYPES
    assert summary.findtext("incidentDateTime", "").endswith("Z")
    web = report.find("internetDetails/webPageIncident")
    assert web is not None
    in_order(web, WEB_PAGE)
    reporter = report.find("reporter")
    assert reporter is not None and in_order(reporter, REPORTER) == ["reportingPerson"]
    person = reporter.find("reportingPerson")
    assert person is not None
    assert in_order(person, PERSON) == ["firstName", "lastName", "phone", "email"]
    assert person.findtext("email") == "safety@example.org"
    details = root.findall("fileDetails")
    assert len(details) == 1
    tags = in_order(details[0], FILE_DETAILS)
    assert tags[:2] == ["reportId", "fileId"] and "originalFileHash" in tags
    assert details[0].find("originalFileHash").get("hashType") == "MD5"  # type: ignore[union-attr]
    assert root.findall("file") == []  # no image without include_evidence


def test_CS_1_when_the_image_was_generated_then_its_file_carries_the_generative_ai_flag(
    desk: Desk,
) -> None:
    made = xml_of(desk, desk.generated_case).find("fileDetails")
    uploaded = xml_of(desk, desk.upload_case).find("fileDetails")
    assert made is not None and uploaded is not None
    assert made.findtext("fileAnnotations/generativeAi") == "true"
    assert uploaded.find("fileAnnotations") is None
    assert uploaded.findtext("publiclyAvailable") == "false"  # blocked before it appeared


def test_CS_1_when_a_notice_reports_a_threat_to_life_then_ncmec_is_asked_to_escalate(
    desk: Desk,
) -> None:
    urgent = xml_of(desk, desk.notice_case).find("report/incidentSummary")
    usual = xml_of(desk, desk.upload_case).find("report/incidentSummary")
    assert urgent is not None and usual is not None
    assert urgent.findtext("escalateToHighPriority")
    assert usual.find("escalateToHighPriority") is None


def test_CS_1_CS_5_when_an_export_is_made_then_it_is_an_audit_event_without_the_image(
    desk: Desk,
) -> None:
    body = desk.service.export(desk.notice_case, ExportFormat.NCMEC_XML, actor=desk.carol)
    assert base64.b64encode(desk.image)[:40] not in body
    (event,) = [e for e in desk.cases.history(desk.notice_case) if e.kind == "report_exported"]
    assert event.actor == "carol" and event.data["include_evidence"] is False
    assert event.data["format"] == "ncmec-xml" and len(event.data["sha256"]) == 64
    assert "evidence_viewed" not in desk.kinds(desk.notice_case)


def test_CS_5_when_evidence_is_included_then_each_image_opened_and_the_export_are_recorded(
    desk: Desk,
) -> None:
    root = xml_of(desk, desk.notice_case, include_evidence=True)
    (file,) = root.findall("file")
    assert base64.b64decode(file.text or "") == desk.image
    assert file.get("fileId") == root.findtext("fileDetails/fileId")
    kinds = desk.kinds(desk.notice_case)
    assert kinds[-2:] == ["evidence_viewed", "report_exported"]
    nca = json.loads(
        desk.service.export(
            desk.upload_case, ExportFormat.NCA_JSON, actor=desk.carol, include_evidence=True
        )
    )
    (kept,) = nca["evidence"]
    assert base64.b64decode(kept["data_base64"]) != desk.image  # the upload's own drawing
    assert kept["sha256"] == nca["upload"]["original_file_hashes"][0]["sha256"]


def test_when_the_actor_may_not_report_then_refused_and_nothing_recorded(desk: Desk) -> None:
    before = desk.kinds(desk.notice_case)
    with pytest.raises(Forbidden):
        desk.service.export(desk.notice_case, ExportFormat.NCA_JSON, actor=desk.mo)
    assert desk.kinds(desk.notice_case) == before


def test_when_no_reporter_is_configured_then_refused_before_anything_is_recorded(
    desk: Desk,
) -> None:
    bare = EscalationService(
        desk.db, desk.cases, desk.vault, settings_for(desk.db, reporter_email=None)
    )
    before = desk.kinds(desk.upload_case)
    with pytest.raises(ReporterMissing) as caught:
        bare.export(desk.upload_case, ExportFormat.NCMEC_XML, actor=desk.carol)
    assert "CONSENTGATE_REPORTER_EMAIL" in caught.value.message
    assert caught.value.exit_code == 2 and caught.value.http_status == 409
    assert desk.kinds(desk.upload_case) == before


def test_when_the_case_is_not_about_a_child_then_conflict(desk: Desk) -> None:
    other = desk.cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://example.com/x")).id
    with pytest.raises(Conflict):
        desk.service.export(other, ExportFormat.NCMEC_XML, actor=desk.carol)


def test_when_evidence_is_asked_for_but_none_is_kept_then_bad_input_and_nothing_recorded(
    desk: Desk,
) -> None:
    desk.vault.purge(desk.clock.now.replace(year=desk.clock.now.year + 2))
    before = desk.kinds(desk.upload_case)
    with pytest.raises(BadInput) as caught:
        desk.service.export(
            desk.upload_case, ExportFormat.NCA_JSON, actor=desk.carol, include_evidence=True
        )
    assert caught.value.field == "include_evidence"
    assert desk.kinds(desk.upload_case) == before


def test_when_the_delivery_fails_then_no_export_or_view_is_recorded(desk: Desk) -> None:
    before = desk.kinds(desk.notice_case)

    def broken(_body: bytes) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        desk.service.export(desk.notice_case, ExportFormat.NCMEC_XML, actor=desk.carol,
                            include_evidence=True, deliver=broken)  # fmt: skip
    assert desk.kinds(desk.notice_case) == before


SCHEDULE_1 = {
    "reporting_person": {"name", "email", "telephone"},
    "content": {"description", "detection_method", "detected_at", "platform",
                "previous_reports"},
    "upload": {"upload_time", "ip_address", "port", "exif", "content_url",
               "original_file_hashes"},
    "account": {"username", "billing_details", "email", "recovery_email", "telephone",
                "telephone_verified_at", "profile_url", "login_ip_addresses",
                "connections_with_other_accounts", "identity_documents"},
}  # fmt: skip


def test_UK_17_when_exported_for_the_nca_then_every_schedule_1_field_is_there(desk: Desk) -> None:
    doc = json.loads(desk.service.export(desk.upload_case, ExportFormat.NCA_JSON, actor=desk.carol))
    for section, fields in SCHEDULE_1.items():
        assert set(doc[section]) == fields, section
    assert doc["declaration"].startswith("The information in this report is true")
    assert doc["reporting_person"] == {
        "name": "Sam Reed", "email": "safety@example.org", "telephone": "+44 20 7946 0000"
    }  # fmt: skip
    assert all(v is None for v in doc["account"].values())  # the platform holds these
    assert doc["content"]["platform"] == "Example Ltd"
    assert "R1" in doc["content"]["detection_method"] and doc["evidence"] == []
    assert doc["upload"]["original_file_hashes"][0]["md5"]


def test_CS_3_when_a_notice_reports_a_threat_to_life_then_the_nca_priority_is_1_else_2(
    desk: Desk,
) -> None:
    def level(case_id: str, priority: Priority | None = None) -> int:
        doc = desk.service.export(case_id, ExportFormat.NCA_JSON, actor=desk.carol,
                                  priority=priority)  # fmt: skip
        return int(json.loads(doc)["priority"]["level"])

    assert level(desk.notice_case) == 1
    assert level(desk.upload_case) == 2
    assert level(desk.upload_case, Priority.WITHOUT_UNDUE_DELAY) == 3
    events = [e for e in desk.cases.history(desk.upload_case) if e.kind == "report_exported"]
    assert [e.data["priority"] for e in events] == [2, 3]


def test_when_a_case_is_decided_no_action_then_it_can_still_be_exported(desk: Desk) -> None:
    desk.cases.decide(desk.upload_case, Action.NO_ACTION, reason="not a child", actor="alice")
    assert xml_of(desk, desk.upload_case).find("report") is not None
