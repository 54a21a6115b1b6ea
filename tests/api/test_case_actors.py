"""Who acts on a case over HTTP: the user behind the key, never a name in the body."""

from __future__ import annotations

import pytest
from httpx import Response

from consentgate.audit import chain
from consentgate.cases.records import CaseKind, EventKind, Item
from consentgate.people import Role
from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running


def _open(api: Api) -> str:
    return api.services.cases.open(
        CaseKind.DSA_NOTICE, Item(url="https://example.com/x"), notice_id="n1"
    ).id


def _post(
    api: Api, case_id: str, what: str, body: dict[str, object], headers: dict[str, str]
) -> Response:
    return api.client.post(f"/v1/cases/{case_id}/{what}", json=body, headers=headers)


DECIDE = {"action": "remove", "reason": "unlawful"}
APPEAL = {"by": "affected_user", "text": "it was my own photo"}
REVERSE = {"outcome": "reversed", "reason": "consent shown"}


def _appealed(api: Api, decider: dict[str, str]) -> str:
    case_id = _open(api)
    assert _post(api, case_id, "decision", DECIDE, decider).status_code == 200
    assert _post(api, case_id, "appeal", APPEAL, decider).status_code == 200
    return case_id


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("decision", DECIDE | {"actor": "alice"}),
        ("decision", DECIDE | {"actor": "key:0123456789abcdef "}),
        ("appeal", APPEAL | {"actor": "Alice"}),
        ("appeal-decision", REVERSE | {"actor": "bob"}),
        ("appeal-decision", REVERSE | {"actor": None}),
    ],
)
@pytest.mark.parametrize("bound", [True, False], ids=["user-key", "service-key"])
def test_when_a_body_names_an_actor_then_422_and_the_case_is_unchanged(
    sqlite_api: Api, step: str, body: dict[str, object], bound: bool
) -> None:
    api = sqlite_api
    decider = api.user_key("carol", Role.MODERATOR)
    case_id = _appealed(api, decider) if step == "appeal-decision" else _open(api)
    if step == "appeal":
        assert _post(api, case_id, "decision", DECIDE, decider).status_code == 200
    headers = api.user_key("bob", Role.APPEALS) if bound else api.key(Scope.MODERATE)
    before = api.services.cases.get(case_id).version
    refused = _post(api, case_id, step, body, headers)
    assert refused.status_code == 422
    assert refused.json()["field"] == "actor"
    assert "the user the API key acts for" in refused.json()["detail"]
    assert api.services.cases.get(case_id).version == before


def test_when_the_issue_attack_is_replayed_with_names_in_the_body_then_nothing_is_decided(
    sqlite_api: Api,
) -> None:
    """One moderate key decided as ``alice`` and decided the appeal as ``Alice`` (200 before)."""
    api = sqlite_api
    moderate = api.key(Scope.MODERATE)
    case_id = _open(api)
    first = _post(api, case_id, "decision", DECIDE | {"actor": "alice"}, moderate)
    assert first.status_code == 422
    assert _post(api, case_id, "decision", DECIDE, moderate).status_code == 200
    assert _post(api, case_id, "appeal", APPEAL, moderate).status_code == 200
    spoofed = _post(api, case_id, "appeal-decision", REVERSE | {"actor": "Alice"}, moderate)
    assert spoofed.status_code == 422
    bare = _post(api, case_id, "appeal-decision", REVERSE, moderate)
    assert bare.status_code == 403 and "decided by a person" in bare.json()["detail"]
    assert api.services.cases.get(case_id).state.value == "appealed"


def test_when_a_service_key_decides_then_the_event_names_the_key_and_no_user(
    sqlite_api: Api,
) -> None:
    api = sqlite_api
    new = api.services.keys.create([Scope.MODERATE], name="svc")
    case_id = _open(api)
    done = _post(api, case_id, "decision", DECIDE, {"Authorization": f"Bearer {new.key}"})
    assert done.status_code == 200
    assert done.json()["decided_by"] == f"key:{new.id}" and done.json()["decided_by_user"] is None


def test_when_another_user_with_the_appeals_role_decides_then_200_and_events_name_each_user(
    api: Api,
) -> None:
    alice = api.user_key("Alice", Role.MODERATOR)
    bob = api.user_key("bob", Role.APPEALS)
    case_id = _appealed(api, alice)
    decided = _post(api, case_id, "appeal-decision", REVERSE, bob)
    assert decided.status_code == 200, decided.text
    users = {u.name: u.id for u in api.services.keys.users.list()}
    events = {e.kind: e for e in api.services.cases.history(case_id)}
    assert events[EventKind.DECIDED].actor == "Alice"
    assert events[EventKind.DECIDED].data["user_id"] == users["Alice"]
    assert events[EventKind.APPEALED].actor == "Alice"
    assert events[EventKind.APPEAL_DECIDED].actor == "bob"
    assert events[EventKind.APPEAL_DECIDED].data["user_id"] == users["bob"]
    case = api.services.cases.get(case_id)
    assert (case.decided_by, case.decided_by_user) == ("Alice", users["Alice"])
    assert case.appeal_decided_by == "bob"


@pytest.mark.parametrize(
    ("second_key", "status", "detail"),
    [
        ("same user, another key", 403, "made the decision under appeal"),
        ("moderator", 403, "may not decide appeal"),
        ("compliance", 403, "lacks the 'moderate' scope"),
        ("service key", 403, "decided by a person"),
        ("appeals reviewer", 200, None),
    ],
)
def test_when_an_appeal_is_decided_then_only_another_person_allowed_to_may(
    sqlite_api: Api, second_key: str, status: int, detail: str | None
) -> None:
    api = sqlite_api
    alice = api.user_key("alice", Role.ADMIN)
    case_id = _appealed(api, alice)
    headers = {
        "same user, another key": lambda: api.key(Scope.MODERATE, user=" ALICE "),
        "moderator": lambda: api.user_key("mo", Role.MODERATOR),
        "compliance": lambda: api.user_key("cy", Role.COMPLIANCE, Scope.REPORT),
        "service key": lambda: api.key(Scope.MODERATE),
        "appeals reviewer": lambda: api.user_key("bob", Role.APPEALS),
    }[second_key]()
    answer = _post(api, case_id, "appeal-decision", REVERSE, headers)
    assert answer.status_code == status, answer.text
    if detail is not None:
        assert detail in answer.json()["detail"]


def test_when_a_user_is_disabled_then_their_keys_are_refused(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url, key_cache_s=0)) as api:
        alice = api.user_key("alice", Role.MODERATOR)
        assert api.client.get("/v1/cases", headers=alice).status_code == 200
        api.services.keys.users.disable("alice")
        refused = api.client.get("/v1/cases", headers=alice)
    assert refused.status_code == 401


def test_when_a_user_key_changes_banks_then_the_chain_and_the_entry_name_the_user(
    sqlite_api: Api,
) -> None:
    api = sqlite_api
    alice = api.user_key("alice", Role.MODERATOR, Scope.BANKS_WRITE)
    made = api.client.post("/v1/banks", json={"name": "victims", "kind": "ncii"}, headers=alice)
    assert made.status_code == 201, made.text
    added = api.client.post(
        "/v1/banks/victims/entries", json={"md5": "0" * 31 + "1"}, headers=alice
    )
    assert added.status_code == 201, added.text
    entry_id = added.json()["entry"]["id"]
    assert added.json()["entry"]["added_by"] == "alice"
    withdrawn = api.client.post(
        f"/v1/entries/{entry_id}/withdraw", json={"reason": "request"}, headers=alice
    )
    assert withdrawn.status_code == 200, withdrawn.text
    with api.services.db.read() as conn:
        changes = [e for e in chain.events(conn) if e.kind is EventKind.BANK_CHANGED]
    assert [e.actor for e in changes] == ["alice"] * 3
