"""Report and escalation routes over HTTP (a ``report`` key), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate.api.routes.reports import Part
from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import CaseKind, Item
from consentgate.people import Role
from consentgate.reports.eu_csv import PARTS
from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running

CHILD = {
    "kind": "child_safety",
    "explanation": "a child is in danger in this video",
    "items": [{"url": "https://example.com/v/1"}],
    "bona_fide_statement": True,
}
HEADERS = Path(__file__).resolve().parents[1] / "reports" / "data" / "eu_template_headers.txt"


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    settings = make_settings(
        database_url, reporter_email="safety@example.org", provider_name="Example Ltd"
    )
    with running(settings) as api:
        yield api


def child_case(api: Api) -> str:
    s = api.services
    receipt = NoticeService(s.db, s.cases).submit(parse_notice(json.dumps(CHILD)))
    return receipt.cases[0]


def test_EU_12_when_a_report_is_asked_for_over_http_then_json_html_and_each_csv_part(
    api: Api,
) -> None:
    child_case(api)
    key = api.key(Scope.REPORT)
    got = api.client.get("/v1/reports/transparency?from=2000-01-01&to=2019-12-31", headers=key)
    assert got.status_code == 200 and got.json()["notices"]["received"] == 0
    now = api.client.get("/v1/reports/transparency?from=2020-01-01&to=2039-12-31", headers=key)
    assert now.json()["notices"]["by_kind"] == {"child_safety": 1}
    assert now.json()["period"]["end"].startswith("2040-01-01T00:00:00")
    html = api.client.get(
        "/v1/reports/transparency?from=2020-01-01&to=2039-12-31&format=html", headers=key
    )
    assert html.headers["content-type"].startswith("text/html") and 'data-chart="' in html.text
    published = HEADERS.read_text(encoding="utf-8").splitlines()
    parts = ("part1_summary", "part4_notices", "part5_own_initiative_illegal",
             "part6_own_initiative_terms", "part7_appeals", "part8_automated_means")  # fmt: skip
    for part, header in zip(parts, published, strict=True):
        got = api.client.get(
            f"/v1/reports/transparency/csv/{part}?from=2020-01-01&to=2039-12-31", headers=key
        )
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert got.text.split("\n", 1)[0] == header
        assert len(list(csv.reader(io.StringIO(got.text)))) > 1


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-12-31&to=2026-12-01",
        "from=2026-12-01",
        "from=2026-12-01T00:00:00&to=2026-12-31",
        "from=2026-02-30&to=2026-12-31",
        "from=2026-12-01&to=2026-12-31&format=pdf",
    ],
)
def test_when_the_period_is_bad_then_422_names_it(api: Api, query: str) -> None:
    got = api.client.get(f"/v1/reports/transparency?{query}", headers=api.key(Scope.REPORT))
    assert got.status_code == 422 and got.headers["content-type"] == "application/problem+json"
    assert got.json()["field"] in ("from", "to", "format")


def test_when_the_key_lacks_the_report_scope_then_403_and_without_a_key_401(api: Api) -> None:
    path = "/v1/reports/transparency?from=2026-12-01&to=2026-12-31"
    assert api.client.get(path, headers=api.key(Scope.MODERATE)).status_code == 403
    assert api.client.get(path).status_code == 401
    export = api.client.post(
        f"/v1/escalations/{'a' * 32}/export", json={"format": "nca-json"},
        headers=api.key(Scope.MODERATE),
    )  # fmt: skip
    assert export.status_code == 403


def test_CS_1_UK_17_when_a_case_is_exported_over_http_then_the_document_and_its_event(
    api: Api,
) -> None:
    case_id = child_case(api)
    key = api.user_key("carol", Role.COMPLIANCE, Scope.REPORT)
    xml = api.client.post(
        f"/v1/escalations/{case_id}/export", json={"format": "ncmec-xml"}, headers=key
    )
    assert xml.status_code == 200 and xml.headers["content-type"] == "application/xml"
    assert f'filename="case-{case_id}-ncmec.xml"' in xml.headers["content-disposition"]
    assert b"<incidentType>" in xml.content and b"https://example.com/v/1" in xml.content
    nca = api.client.post(
        f"/v1/escalations/{case_id}/export", json={"format": "nca-json", "priority": 1},
        headers=key,
    )  # fmt: skip
    assert nca.status_code == 200 and nca.json()["priority"]["level"] == 1
    events = [e for e in api.services.cases.history(case_id) if e.kind == "report_exported"]
    assert [(e.actor, e.data["format"]) for e in events] == [
        ("carol", "ncmec-xml"), ("carol", "nca-json")
    ]  # fmt: skip


def test_when_a_service_key_asks_for_the_images_then_403(api: Api) -> None:
    case_id = child_case(api)
    got = api.client.post(
        f"/v1/escalations/{case_id}/export",
        json={"format": "nca-json", "include_evidence": True},
        headers=api.key(Scope.REPORT),
    )
    assert got.status_code == 403
    assert "report_exported" not in [e.kind for e in api.services.cases.history(case_id)]


def test_CS_4_when_a_reference_is_posted_then_201_kept_five_years_and_a_second_time_409(
    api: Api,
) -> None:
    case_id = child_case(api)
    key = api.user_key("carol", Role.COMPLIANCE, Scope.REPORT)
    body = {"agency": "nca", "reference": "NCA/2026/42"}
    done = api.client.post(f"/v1/escalations/{case_id}/reference", json=body, headers=key)
    assert done.status_code == 201, done.text
    report = done.json()
    assert report["recorded_by"] == "carol" and report["priority"] == 2
    assert int(report["retain_until"][:4]) - int(report["reported_at"][:4]) == 5
    again = api.client.post(f"/v1/escalations/{case_id}/reference", json=body, headers=key)
    assert again.status_code == 409
    listed = api.client.get("/v1/escalations", headers=key).json()
    assert listed[0]["case_id"] == case_id and listed[0]["awaiting_report"] is False
    assert api.client.get("/v1/escalations?due=true", headers=key).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"agency": "fbi", "reference": "1"},
        {"agency": "nca", "reference": "a\u0000b"},
        {"agency": "nca", "reference": "NCA-1", "actor": "mallory"},
        {"agency": "ncmec", "reference": "12", "reported_at": "2026-12-01T10:00:00"},
        {"agency": "nca", "reference": "NCA-1", "priority": 4},
    ],
)
def test_when_a_reference_body_is_bad_then_422(api: Api, body: dict[str, object]) -> None:
    case_id = child_case(api)
    got = api.client.post(
        f"/v1/escalations/{case_id}/reference", json=body, headers=api.key(Scope.REPORT)
    )
    assert got.status_code == 422, got.text


def test_when_the_case_is_missing_or_not_about_a_child_then_404_or_409(api: Api) -> None:
    key = api.key(Scope.REPORT)
    missing = api.client.post(
        f"/v1/escalations/{'b' * 32}/export", json={"format": "ncmec-xml"}, headers=key
    )
    assert missing.status_code == 404
    other = api.services.cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://example.com/x")).id
    conflict = api.client.post(
        f"/v1/escalations/{other}/export", json={"format": "ncmec-xml"}, headers=key
    )
    assert conflict.status_code == 409


def test_when_no_reporter_is_configured_then_409_naming_the_setting(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url)) as api:
        case_id = child_case(api)
        got = api.client.post(
            f"/v1/escalations/{case_id}/export", json={"format": "ncmec-xml"},
            headers=api.key(Scope.REPORT),
        )  # fmt: skip
        assert got.status_code == 409 and "CONSENTGATE_REPORTER_EMAIL" in got.json()["detail"]


def test_when_the_openapi_is_read_then_each_template_part_and_route_is_documented(
    api: Api,
) -> None:
    assert {p.value for p in Part} == set(PARTS)
    paths = api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    for path in ("/v1/reports/transparency", "/v1/reports/transparency/csv/{part}",
                 "/v1/escalations", "/v1/escalations/{case_id}/export",
                 "/v1/escalations/{case_id}/reference"):  # fmt: skip
        operations = paths[path]
        for operation in operations.values():
            assert operation["summary"] and operation.get("description"), path
