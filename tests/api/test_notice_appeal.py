"""``POST /v1/notices/{code}/appeal``: a notifier contests a decision without an account."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from consentgate.cases.records import Action, Appellant, CaseState
from tests.api.conftest import Api, make_settings, running

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


def _notice(api: Api, name: str = "dsa_notice") -> dict[str, object]:
    body = json.loads((EXAMPLES / f"{name}.json").read_text())
    r = api.client.post("/v1/notices", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _appeal(api: Api, code: object, **body: object) -> object:
    return api.client.post(f"/v1/notices/{code}/appeal", json=body)


def test_EU_11_when_a_notifier_appeals_a_decision_not_to_act_then_a_person_reviews_it(
    api: Api,
) -> None:
    receipt = _notice(api)
    case_id = receipt["cases"][0]  # type: ignore[index]
    api.services.cases.decide(case_id, Action.NO_ACTION, reason="lawful", actor="alice")
    r = _appeal(
        api, receipt["tracking_code"], item=0, text="it is my photo, shared without consent"
    )
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    assert r.json()["items"][0]["state"] == "appealed"  # type: ignore[attr-defined]
    case = api.services.cases.get(case_id)
    assert case.state is CaseState.APPEALED and case.appeal_by is Appellant.REPORTER
    (event,) = [e for e in api.services.cases.history(case_id) if e.kind.value == "appealed"]
    assert event.actor == "notifier" and "without consent" in event.reason


def test_when_the_item_is_not_decided_yet_then_409(api: Api) -> None:
    receipt = _notice(api)
    r = _appeal(api, receipt["tracking_code"], text="why")
    assert r.status_code == 409  # type: ignore[attr-defined]


def test_when_the_code_or_item_is_wrong_then_404_or_422_naming_the_field(api: Api) -> None:
    receipt = _notice(api)
    assert _appeal(api, "x" * 32, text="why").status_code == 404  # type: ignore[attr-defined]
    r = _appeal(api, receipt["tracking_code"], item=5, text="why")
    assert r.status_code == 422 and r.json()["field"] == "item"  # type: ignore[attr-defined]
    r = _appeal(api, receipt["tracking_code"], item=0, text="")
    assert r.status_code == 422 and r.json()["field"] == "text"  # type: ignore[attr-defined]
    bad = api.client.post(f"/v1/notices/{receipt['tracking_code']}/appeal", content=b"{x")
    assert bad.status_code in (415, 422)


def test_EU_11_when_the_window_has_closed_then_422(api: Api) -> None:
    receipt = _notice(api)
    case_id = receipt["cases"][0]  # type: ignore[index]
    api.services.cases.decide(case_id, Action.REMOVE, reason="illegal", actor="alice")
    later = api.services.cases.get(case_id).decided_at + timedelta(days=184)  # type: ignore[operator]
    api.services.cases.clock = lambda: later
    r = _appeal(api, receipt["tracking_code"], text="too late?")
    assert r.status_code == 422 and "window" in r.json()["detail"]  # type: ignore[attr-defined]


def test_when_one_address_appeals_past_its_burst_then_429(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, notice_rate_per_s=0.001, notice_rate_burst=2)
    with running(settings) as api:
        receipt = _notice(api)
        codes = [
            _appeal(api, receipt["tracking_code"], text="why").status_code  # type: ignore[attr-defined]
            for _ in range(2)
        ]
    assert codes == [409, 429]
