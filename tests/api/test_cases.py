"""Case and audit routes over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from httpx import Response
from sqlalchemy import text

from consentgate.audit.export import verify_export
from consentgate.cases.records import CaseKind, Item
from consentgate.people import Role
from consentgate.service.keys import Scope
from tests.api.conftest import Api
from tests.cases.conftest import MovableClock
from tests.tamper import as_superuser

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _open(api: Api, kind: CaseKind = CaseKind.DSA_NOTICE, notice: str | None = "n1") -> str:
    return api.services.cases.open(kind, Item(url="https://example.com/x"), notice_id=notice).id


def _decide(api: Api, case_id: str, headers: dict[str, str], **body: object) -> Response:
    payload = {"action": "remove", "reason": "unlawful"} | body
    return api.client.post(f"/v1/cases/{case_id}/decision", json=payload, headers=headers)


@pytest.fixture
def moderate(api: Api) -> dict[str, str]:
    return api.key(Scope.MODERATE)


def test_UK_5_when_cases_are_listed_over_http_then_child_safety_then_ncii_then_the_rest(
    api: Api, moderate: dict[str, str]
) -> None:
    spam = _open(api, CaseKind.DSA_NOTICE)
    ncii = _open(api, CaseKind.TAKE_IT_DOWN)
    csam = _open(api, CaseKind.CHILD_SAFETY)
    listed = api.client.get("/v1/cases", headers=moderate)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [csam, ncii, spam]
    assert {c["clock"] for c in listed.json()} == {"on_time"}
    only = api.client.get("/v1/cases?queue=intimate_images&limit=5", headers=moderate).json()
    assert [c["id"] for c in only] == [ncii]


def test_UK_3_when_each_case_is_decided_over_http_then_none_is_left_and_each_has_its_events(
    api: Api, moderate: dict[str, str]
) -> None:
    ids = [_open(api, kind) for kind in (CaseKind.DSA_NOTICE, CaseKind.RETRO_MATCH)]
    for case_id in ids:
        version = api.client.get(f"/v1/cases/{case_id}", headers=moderate).json()["case"]["version"]
        done = _decide(api, case_id, moderate, version=version, action="no_action")
        assert done.status_code == 200 and done.json()["state"] == "no_action"
    assert api.client.get("/v1/cases", headers=moderate).json() == []
    shown = api.client.get(f"/v1/cases/{ids[0]}", headers=moderate).json()
    assert [e["kind"] for e in shown["events"]] == ["received", "decided"]
    assert shown["events"][1]["actor"].startswith("key:")


def test_when_two_reviewers_decide_one_case_at_once_then_one_200_and_one_409(
    api: Api, moderate: dict[str, str]
) -> None:
    case_id = _open(api)
    version = api.client.get(f"/v1/cases/{case_id}", headers=moderate).json()["case"]["version"]
    barrier = threading.Barrier(2)
    answers: list[Response] = []

    def decide(headers: dict[str, str]) -> None:
        barrier.wait()
        answers.append(_decide(api, case_id, headers, version=version))

    reviewers = [api.user_key(name, Role.MODERATOR) for name in ("alice", "bob")]
    threads = [threading.Thread(target=decide, args=(h,)) for h in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [200, 409]
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.headers["content-type"] == "application/problem+json"
    events = api.client.get(f"/v1/cases/{case_id}", headers=moderate).json()["events"]
    assert [e["kind"] for e in events].count("decided") == 1


def test_when_a_decision_names_a_stale_version_then_409(api: Api, moderate: dict[str, str]) -> None:
    case_id = _open(api)
    api.services.cases.assign(case_id, to="bob", actor="lead")
    stale = _decide(api, case_id, moderate, version=1)
    assert stale.status_code == 409 and "changed since version 1" in stale.json()["detail"]


def test_UK_14_when_the_first_decider_decides_the_appeal_over_http_then_403_then_another_200(
    api: Api,
) -> None:
    alice = api.user_key("alice", Role.APPEALS)
    alice_again = api.key(Scope.MODERATE, user="ALICE")  # a second key of the same user
    bob = api.user_key("bob", Role.APPEALS)
    case_id = _open(api)
    assert _decide(api, case_id, alice).status_code == 200
    appealed = api.client.post(
        f"/v1/cases/{case_id}/appeal",
        json={"by": "affected_user", "text": "it was my own photo"},
        headers=alice,
    )
    assert appealed.status_code == 200 and appealed.json()["state"] == "appealed"
    url = f"/v1/cases/{case_id}/appeal-decision"
    body = {"outcome": "reversed", "reason": "consent shown"}
    for headers in (alice, alice_again):
        same = api.client.post(url, json=body, headers=headers)
        assert same.status_code == 403
        assert "made the decision under appeal" in same.json()["detail"]
    other = api.client.post(url, json=body, headers=bob)
    assert other.status_code == 200
    assert other.json()["state"] == "reversed"
    assert other.json()["appeal_decided_by"] == "bob"


def test_EU_11_when_a_reporter_appeals_a_decision_not_to_act_five_months_on_then_accepted(
    api: Api, moderate: dict[str, str]
) -> None:
    clock = MovableClock(START)
    api.services.cases.clock = clock
    case_id = _open(api)
    assert _decide(api, case_id, moderate, action="no_action").status_code == 200
    clock.advance(days=152)
    body = {"by": "reporter", "text": "it is still there"}
    accepted = api.client.post(f"/v1/cases/{case_id}/appeal", json=body, headers=moderate)
    assert accepted.status_code == 200 and accepted.json()["appeal_by"] == "reporter"
    keyed = {"outcome": "upheld", "reason": "r"}  # a key bound to no user is no person
    refused = api.client.post(f"/v1/cases/{case_id}/appeal-decision", json=keyed, headers=moderate)
    assert refused.status_code == 403 and "decided by a person" in refused.json()["detail"]


def test_EU_11_when_the_appeal_window_has_closed_then_422_naming_when(
    api: Api, moderate: dict[str, str]
) -> None:
    clock = MovableClock(START)
    api.services.cases.clock = clock
    case_id = _open(api)
    _decide(api, case_id, moderate)
    clock.advance(days=400)
    late = api.client.post(
        f"/v1/cases/{case_id}/appeal", json={"by": "affected_user", "text": "x"}, headers=moderate
    )
    assert late.status_code == 422 and "appeal window closed" in late.json()["detail"]


def test_UK_15_when_a_reporter_appeals_an_intimate_image_case_over_http_then_expedited_first(
    api: Api, moderate: dict[str, str]
) -> None:
    child = _open(api, CaseKind.CHILD_SAFETY)
    ncii = _open(api, CaseKind.UK_INTIMATE_IMAGE)
    for case_id, by in ((child, "affected_user"), (ncii, "reporter")):
        _decide(api, case_id, moderate, action="no_action")
        api.client.post(
            f"/v1/cases/{case_id}/appeal", json={"by": by, "text": "wrong"}, headers=moderate
        )
    listed = api.client.get("/v1/cases?state=appealed", headers=moderate).json()
    assert [(c["id"], c["expedited"]) for c in listed] == [(ncii, True), (child, False)]


def test_EU_6_when_overdue_is_asked_at_an_instant_then_each_case_has_its_clock(
    api: Api, moderate: dict[str, str]
) -> None:
    api.services.cases.clock = MovableClock(START)
    late = _open(api, CaseKind.TAKE_IT_DOWN)
    _open(api, CaseKind.DSA_NOTICE)
    at = (START + timedelta(hours=40)).isoformat()
    rows = api.client.get("/v1/cases/overdue", params={"now": at}, headers=moderate).json()
    assert [(r["id"], r["clock"]) for r in rows] == [(late, "at_risk")]
    later = (START + timedelta(days=8)).isoformat()
    rows = api.client.get("/v1/cases/overdue", params={"now": later}, headers=moderate).json()
    assert [r["clock"] for r in rows] == ["breached", "breached"]
    bad = api.client.get("/v1/cases/overdue?now=2026-12-03T10:00:00", headers=moderate)
    assert bad.status_code == 422 and bad.json()["field"] == "now"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/v1/cases/" + "0" * 32, 404),
        ("get", "/v1/cases/NOT-AN-ID", 422),
        ("post", "/v1/cases/" + "0" * 32 + "/decision", 404),
    ],
)
def test_when_a_case_is_missing_or_its_id_malformed_then_a_problem_document(
    api: Api, moderate: dict[str, str], method: str, path: str, status: int
) -> None:
    body = {"action": "remove", "reason": "r"} if method == "post" else None
    answer = api.client.request(method, path, json=body, headers=moderate)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("scope", [Scope.SCREEN, Scope.REPORT, Scope.BANKS_WRITE])
def test_when_a_key_lacks_the_moderate_scope_then_case_routes_are_403(
    api: Api, scope: Scope
) -> None:
    assert api.client.get("/v1/cases", headers=api.key(scope)).status_code == 403
    assert api.client.get("/v1/cases").status_code == 401


def test_when_a_decision_body_is_incomplete_then_422_naming_the_field(
    api: Api, moderate: dict[str, str]
) -> None:
    case_id = _open(api)
    answer = api.client.post(
        f"/v1/cases/{case_id}/decision", json={"action": "remove"}, headers=moderate
    )
    assert answer.status_code == 422 and answer.json()["field"] == "reason"


def test_UK_16_when_a_row_is_edited_through_sql_then_audit_verify_names_it_over_http(
    api: Api,
) -> None:
    report = api.key(Scope.REPORT)
    for _ in range(2):
        _open(api)
    intact = api.client.get("/v1/audit/verify", headers=report).json()
    assert intact["intact"] is True and intact["events"] >= 2
    with api.services.db.write() as conn:
        edit = "UPDATE audit_events SET actor = 'someone else' WHERE seq = 2"
        as_superuser(conn).execute(text(edit))
    broken = api.client.get("/v1/audit/verify", headers=report)
    assert broken.status_code == 200
    assert broken.json() == {
        "intact": False,
        "events": None,
        "head": None,
        "broken": "event 2 was altered: its hash does not match",
        "cases": None,
        "mismatches": [],
    }


def test_UK_16_when_a_case_row_is_edited_through_sql_then_audit_verify_names_it_over_http(
    api: Api,
) -> None:
    report = api.key(Scope.REPORT)
    case_id = _open(api)
    intact = api.client.get("/v1/audit/verify", headers=report).json()
    assert (intact["intact"], intact["cases"], intact["mismatches"]) == (True, 1, [])
    with api.services.db.write() as conn:
        conn.execute(text("UPDATE cases SET state = 'decided' WHERE id = :id"), {"id": case_id})
    edited = api.client.get("/v1/audit/verify", headers=report).json()
    assert edited["intact"] is False and edited["broken"] is None
    assert any(case_id in m and "state column" in m for m in edited["mismatches"])


def test_UK_16_when_the_audit_log_is_exported_over_http_then_the_stream_reverifies(
    api: Api, moderate: dict[str, str]
) -> None:
    for _ in range(3):
        _decide(api, _open(api), moderate)
    params = {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
    exported = api.client.get("/v1/audit/export", params=params, headers=api.key(Scope.ADMIN))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = exported.text.splitlines()
    segment = verify_export(lines)
    assert segment.events == len(lines) >= 6 and segment.from_genesis
    verified = api.client.get("/v1/audit/verify", headers=api.key(Scope.REPORT)).json()
    assert verified["head"] == segment.head


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2000-01-01T00:00:00Z"},
        {"from": "2000-01-01T00:00:00", "to": "2100-01-01T00:00:00Z"},
        {"from": "2100-01-01T00:00:00Z", "to": "2000-01-01T00:00:00Z"},
    ],
)
def test_when_the_export_range_is_missing_naive_or_backwards_then_422(
    api: Api, params: dict[str, str]
) -> None:
    answer = api.client.get("/v1/audit/export", params=params, headers=api.key(Scope.REPORT))
    assert answer.status_code == 422


def test_when_a_moderate_key_asks_for_the_audit_log_then_403(
    api: Api, moderate: dict[str, str]
) -> None:
    assert api.client.get("/v1/audit/verify", headers=moderate).status_code == 403
