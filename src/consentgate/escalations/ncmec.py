"""A CyberTipline report for NCMEC, as XML in the element names and order of its schema.

NCMEC's reporting API takes a report in three calls: ``/submit`` (a ``<report>``
document; NCMEC answers with the report id), ``/upload`` (each file; NCMEC
answers with a file id), ``/fileinfo`` (a ``<fileDetails>`` document per file).
The export holds all of them in one ``<ncmecExport>`` document: the
``<report>``, one ``<fileDetails>`` per image, and (only with
``include_evidence``) one ``<file>`` with the image in base64. Each element is
posted as a document of its own; ``reportId`` is the recorded NCMEC reference
once there is one (0 until then) and ``fileId`` names the sealed item until
``/upload`` returns NCMEC's.

Element order follows the XSD's sequences (checked against NCMEC's schema,
regulation §b6): ``report``: incidentSummary, internetDetails, reporter,
additionalInfo (we hold no law-enforcement, reported-user, recipient or victim
details: the platform holds the uploader's account, not ConsentGate);
``person``: firstName, lastName, phone, email; ``fileDetails``: reportId,
fileId, fileViewedByEsp, publiclyAvailable, fileRelevance, fileAnnotations,
originalFileHash, details, additionalInfo. The only generative-AI field is the
per-file ``fileAnnotations/generativeAi`` flag.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime

from consentgate.escalations.records import (
    Agency,
    EscalationFacts,
    Priority,
    ReportedFile,
    Reporter,
)
from consentgate.records import Mode

INCIDENT_TYPE = "Child Pornography (possession, manufacture, and distribution)"
"""The schema's value for child sexual abuse material (``incidentType`` enumeration)."""


def instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def report_element(facts: EscalationFacts, reporter: Reporter, priority: Priority) -> ET.Element:
    report = ET.Element("report")
    summary = _add(report, "incidentSummary")
    _add(summary, "incidentType", INCIDENT_TYPE)
    if reporter.provider:
        _add(summary, "platform", reporter.provider)
    if priority is Priority.IMMEDIATE:
        _add(summary, "escalateToHighPriority", "a report to the service says a child's life or "
             "safety is at immediate risk")  # fmt: skip
    _add(summary, "incidentDateTime", instant(facts.received_at))
    _add(summary, "incidentDateTimeDescription", _when(facts))
    web = _add(_add(report, "internetDetails"), "webPageIncident")
    if facts.case.item.url:
        _add(web, "url", facts.case.item.url)
    _add(web, "additionalInfo", _where(facts, reporter))
    person = _add(_add(report, "reporter"), "reportingPerson")
    if reporter.first_name:
        _add(person, "firstName", reporter.first_name)
    if reporter.last_name:
        _add(person, "lastName", reporter.last_name)
    if reporter.phone:
        _add(person, "phone", reporter.phone)
    _add(person, "email", reporter.email)
    _add(report, "additionalInfo", _about(facts))
    return report


def file_element(facts: EscalationFacts, n: int, file: ReportedFile) -> ET.Element:
    details = ET.Element("fileDetails")
    _add(details, "reportId", facts.reference(Agency.NCMEC) or "0")
    _add(details, "fileId", file_id(n, file))
    _add(details, "fileViewedByEsp", "true" if facts.viewed_by_staff else "false")
    if facts.mode is not None:  # a screened image was blocked before anyone could see it
        _add(details, "publiclyAvailable", "false")
    _add(details, "fileRelevance", "Reported")
    if file.generated:
        _add(_add(details, "fileAnnotations"), "generativeAi", "true")
    if file.md5:
        _add(details, "originalFileHash", file.md5, hashType="MD5")
    hashes = {"SHA256": file.sha256, "PDQ": file.pdq}
    if any(hashes.values()):
        found = _add(details, "details", type="HASH")
        for name, value in hashes.items():
            if value:
                pair = _add(found, "nameValuePair")
                _add(pair, "name", name)
                _add(pair, "value", value)
    _add(details, "additionalInfo", f"image: {file.target}")
    return details


def file_id(n: int, file: ReportedFile) -> str:
    return file.evidence_id or f"file-{n + 1}"


def render(
    facts: EscalationFacts,
    reporter: Reporter,
    priority: Priority,
    *,
    generated_at: datetime,
    contents: Mapping[str, bytes] | None = None,
) -> bytes:
    """The export document; ``contents`` (evidence id → bytes) puts each image inside."""
    root = ET.Element("ncmecExport", {"case": facts.case.id, "generated": instant(generated_at)})
    root.append(report_element(facts, reporter, priority))
    for n, file in enumerate(facts.files):
        root.append(file_element(facts, n, file))
    for n, file in enumerate(facts.files):
        data = (contents or {}).get(file.evidence_id or "")
        if data is not None:
            _add(root, "file", base64.b64encode(data).decode("ascii"),
                 fileId=file_id(n, file), mediaType=file.media_type or "application/octet-stream",
                 sha256=file.sha256 or "")  # fmt: skip
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def _when(facts: EscalationFacts) -> str:
    if facts.mode is not None:
        return "when the service screened the image (and blocked it)"
    return "when the service received the report about it"


def _where(facts: EscalationFacts, reporter: Reporter) -> str:
    service = reporter.provider or "the service"
    if facts.mode == Mode.UPLOAD.value:
        return f"uploaded to {service} and blocked before it was published"
    if facts.mode is not None:
        return f"made with {service}'s image tool ({facts.mode}) and blocked before delivery"
    where = f"reported to {service}"
    if facts.case.item.content_id:
        where += f"; the platform's content id: {facts.case.item.content_id}"
    return where


def _about(facts: EscalationFacts) -> str:
    parts = [f"ConsentGate case {facts.case.id}"]
    if facts.decision_id:
        rules = ", ".join(facts.rules) or "none"
        parts.append(f"screen decision {facts.decision_id} (rules {rules})")
    if facts.request_id:
        parts.append(f"the platform's request id {facts.request_id}")
    parts.append("the uploader's account details are held by the platform, not by ConsentGate")
    return "; ".join(parts) + "."
