"""Cases the system opens itself, and bank changes in the audit chain (both stores)."""

from __future__ import annotations

from consentgate.audit import chain
from consentgate.cases.records import CaseKind, CaseState, EventKind, Queue
from consentgate.service.keys import Scope
from tests.api.conftest import Api, b64, photo

PHOTO = photo("coffee")


def _screen(api: Api, headers: dict[str, str], **body: object) -> dict[str, object]:
    r = api.client.post("/v1/screen", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _all_cases(api: Api) -> list[object]:
    return api.services.cases.list_cases(states=tuple(CaseState), limit=1000)


def test_UK_3_when_a_screen_goes_to_review_then_a_case_opens_with_its_decision(api: Api) -> None:
    screen = api.key(Scope.SCREEN)
    decision = _screen(api, screen, prompt="please crash now")  # a failing detector: R9
    assert decision["decision"] == "review"
    (case,) = _all_cases(api)
    assert case.kind is CaseKind.AUTOMATED_REVIEW  # type: ignore[attr-defined]
    assert case.item.decision_id == decision["id"]  # type: ignore[attr-defined]
    assert case.queue is Queue.OTHER  # type: ignore[attr-defined]


def test_when_a_block_also_asks_for_a_person_then_a_review_case_opens(api: Api) -> None:
    screen = api.key(Scope.SCREEN)
    decision = _screen(api, screen, mode="edit", prompt="bikini, please crash")  # R3 and R9
    assert decision["decision"] == "block"
    assert [r["rule"] for r in decision["reasons"]] == ["R3", "R9"]  # type: ignore[index]
    (case,) = _all_cases(api)
    assert case.kind is CaseKind.AUTOMATED_REVIEW  # type: ignore[attr-defined]
    assert case.item.decision_id == decision["id"]  # type: ignore[attr-defined]


def test_when_a_screen_is_escalated_under_r1_then_a_child_safety_case_opens_escalated(
    api: Api,
) -> None:
    screen = api.key(Scope.SCREEN)
    decision = _screen(api, screen, mode="edit", prompt="bikini", subject="minor")
    assert decision["escalate"] is True
    (case,) = _all_cases(api)
    assert case.kind is CaseKind.AUTOMATED_ESCALATION  # type: ignore[attr-defined]
    assert case.queue is Queue.CHILD_SAFETY and case.escalated  # type: ignore[attr-defined]
    kinds = [e.kind for e in api.services.cases.history(case.id)]  # type: ignore[attr-defined]
    assert kinds == [EventKind.RECEIVED, EventKind.ESCALATED]


def test_when_a_screen_is_allowed_or_replayed_then_no_case_opens(api: Api) -> None:
    screen = api.key(Scope.SCREEN)
    assert _screen(api, screen, prompt="a lighthouse")["decision"] == "allow"
    _screen(api, screen, id="r-1", prompt="please crash")
    _screen(api, screen, id="r-1", prompt="please crash")  # a retry: the same decision
    assert len(_all_cases(api)) == 1


def test_when_an_entry_matches_content_screened_earlier_then_a_retro_match_case_opens(
    api: Api,
) -> None:
    writer, screen = api.key(Scope.BANKS_WRITE), api.key(Scope.SCREEN)
    earlier = _screen(api, screen, mode="upload", output_image=b64(PHOTO))
    api.client.post("/v1/banks", json={"name": "victims", "kind": "ncii"}, headers=writer)
    added = api.client.post("/v1/banks/victims/entries", json={"image": b64(PHOTO)}, headers=writer)
    assert added.status_code == 201 and added.json()["findings"]
    retro = [c for c in _all_cases(api) if c.kind is CaseKind.RETRO_MATCH]  # type: ignore[attr-defined]
    assert [c.item.decision_id for c in retro] == [earlier["id"]]  # type: ignore[attr-defined]
    assert retro[0].queue is Queue.INTIMATE_IMAGES  # type: ignore[attr-defined]


def test_UK_16_when_banks_change_then_each_change_is_in_the_audit_chain(api: Api) -> None:
    writer = api.key(Scope.BANKS_WRITE)
    api.client.post("/v1/banks", json={"name": "victims", "kind": "ncii"}, headers=writer)
    added = api.client.post(
        "/v1/banks/victims/entries", json={"image": b64(PHOTO)}, headers=writer
    ).json()["entry"]
    api.client.post(
        f"/v1/entries/{added['id']}/withdraw", json={"reason": "request"}, headers=writer
    )
    with api.services.db.read() as conn:
        events = [e for e in chain.events(conn) if e.kind is EventKind.BANK_CHANGED]
        assert chain.verify(conn).events >= 3
    assert [e.data["change"] for e in events] == [
        "bank_created",
        "entries_added",
        "entry_withdrawn",
    ]
    assert all(e.actor.startswith("key:") for e in events)
    assert events[1].data["entry_ids"] == [added["id"]]
    assert events[2].reason == "request"


def test_when_a_protected_entry_floods_then_a_bank_alert_case_opens(api: Api) -> None:
    writer, screen = api.key(Scope.BANKS_WRITE), api.key(Scope.SCREEN)
    bank = {"name": "victims", "kind": "ncii", "flood_max_matches": 2, "flood_window_s": 3600}
    api.client.post("/v1/banks", json=bank, headers=writer)
    api.client.post("/v1/banks/victims/entries", json={"image": b64(PHOTO)}, headers=writer)
    for _ in range(4):
        _screen(api, screen, mode="upload", output_image=b64(PHOTO))
    alerts = [c for c in _all_cases(api) if c.kind is CaseKind.BANK_ALERT]  # type: ignore[attr-defined]
    assert len(alerts) == 1


def test_CS_2_when_an_escalated_screen_has_an_image_then_it_is_sealed_as_evidence(
    sqlite_url: str,
) -> None:
    import base64 as b64module
    import os

    from tests.api.conftest import make_settings, running

    key = b64module.b64encode(os.urandom(32)).decode()
    with running(make_settings(sqlite_url, evidence_key=key)) as api:
        screen = api.key(Scope.SCREEN)
        decision = _screen(
            api, screen, mode="edit", prompt="bikini", subject="minor", source_image=b64(PHOTO)
        )
        assert decision["escalate"] is True
        (case,) = _all_cases(api)
        vault = api.services.automated.vault
        assert vault is not None
        (record,) = vault.list(case.id)  # type: ignore[attr-defined]
        _, data = vault.view(record.id, actor="alice", reason="report")
    assert data == PHOTO
