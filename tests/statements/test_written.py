"""A statement of reasons is written with every restriction, in its transaction (EU-7), and
a blocked upload's answer carries it and how to appeal (UK-14, EU-5): SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

from consentgate.audit import chain
from consentgate.audit.replay import replay
from consentgate.cases.records import Action, CaseEvent, CaseKind, EventKind, Item
from consentgate.cases.statements import store
from consentgate.cases.statements.validate import validate
from consentgate.people import Role
from consentgate.service.keys import Scope
from consentgate.store.statements_tables import statements
from tests.api.conftest import Api, b64, photo

PHOTO = photo("coffee")


def _rows(api: Api) -> list[Any]:
    with api.services.db.read() as conn:
        return list(conn.execute(select(statements).order_by(statements.c.seq)))


def _enrol(api: Api, kind: str = "ncii") -> None:
    writer = api.key(Scope.BANKS_WRITE)
    made = api.client.post("/v1/banks", json={"name": f"bank-{kind}", "kind": kind}, headers=writer)
    assert made.status_code == 201, made.text
    added = api.client.post(
        f"/v1/banks/bank-{kind}/entries", json={"image": b64(PHOTO)}, headers=writer
    )
    assert added.status_code == 201, added.text


def _upload(api: Api, headers: dict[str, str], **extra: object) -> dict[str, Any]:
    r = api.client.post(
        "/v1/screen", json={"mode": "upload", "source_image": b64(PHOTO), **extra}, headers=headers
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_EU_7_UK_14_when_an_upload_is_blocked_then_its_answer_carries_the_statement_and_appeal(
    api: Api,
) -> None:
    _enrol(api)
    decision = _upload(api, api.key(Scope.SCREEN))
    assert decision["decision"] == "block"
    ref = decision["statement"]
    assert ref["automated"] is True
    assert ref["id"] in ref["how_to_appeal"] and "review" in ref["how_to_appeal"]
    assert ref["appeal_until"] > decision["created"] and "out-of-court" in ref["other_routes"]
    (row,) = _rows(api)
    assert (row.id, row.decision_id, row.source, row.harm) == (
        ref["id"], decision["id"], "upload", "intimate_image_abuse",
    )  # fmt: skip
    body = row.statement
    assert validate(body) == []
    assert body["puid"] == ref["id"]
    assert body["source_type"] == "SOURCE_VOLUNTARY"
    assert (body["automated_detection"], body["automated_decision"]) == (
        "Yes", "AUTOMATED_DECISION_FULLY",
    )  # fmt: skip
    assert body["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert "R2" in body["decision_facts"] and "never published" in body["decision_facts"]
    recorded = api.services.decisions.get(decision["id"])  # the stored decision says so too
    assert recorded.statement is not None and recorded.statement.id == ref["id"]


def test_EU_7_when_a_blocked_upload_is_retried_with_its_id_then_one_statement_answers_both(
    api: Api,
) -> None:
    _enrol(api, "csam")
    screen = api.key(Scope.SCREEN)
    first = _upload(api, screen, id="upload-1")
    again = api.client.post(
        "/v1/screen",
        json={"mode": "upload", "source_image": b64(PHOTO), "id": "upload-1"},
        headers=screen,
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["statement"] == first["statement"]
    (row,) = _rows(api)
    assert row.harm == "child_sexual_abuse"
    assert row.statement["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"


def test_EU_7_when_a_generation_or_edit_is_refused_then_no_statement_is_written(api: Api) -> None:
    screen = api.key(Scope.SCREEN)
    for body in (
        {"mode": "edit", "prompt": "put her in a bikini", "source_image": b64(PHOTO)},
        {"mode": "generate", "prompt": "explicit"},
    ):
        r = api.client.post("/v1/screen", json=body, headers=screen)
        assert r.json()["decision"] == "block"
        assert r.json()["statement"] is None
    assert _upload(api, screen)["statement"] is None  # an allowed upload restricts nothing
    assert _rows(api) == []


def test_EU_7_when_a_case_is_decided_remove_then_its_statement_is_written_with_it(
    api: Api,
) -> None:
    moderator = api.user_key("alice", Role.MODERATOR)
    case = api.services.cases.open(CaseKind.DSA_NOTICE, Item(url="https://p.example/1"))
    kept = api.services.cases.open(CaseKind.DSA_NOTICE, Item(url="https://p.example/2"))
    for case_id, action in ((case.id, "remove"), (kept.id, "no_action")):
        r = api.client.post(
            f"/v1/cases/{case_id}/decision",
            json={"action": action, "reason": "an intimate image shared without consent"},
            headers=moderator,
        )
        assert r.status_code == 200, r.text
    (row,) = _rows(api)  # a decision not to act restricts nothing
    assert (row.case_id, row.source) == (case.id, "case")
    body = row.statement
    assert validate(body) == []
    assert body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert body["source_type"] == "SOURCE_ARTICLE_16"
    assert body["decision_facts"].endswith("Basis: an intimate image shared without consent.")
    shown = store.get(api.services.db, row.id)
    assert shown.case_id == case.id and shown.redress.appeal_until > shown.created_at


def test_EU_7_when_the_removal_is_refused_then_no_statement_remains(api: Api) -> None:
    case = api.services.cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://p.example/3"))
    moderator = api.user_key("bob", Role.MODERATOR)
    for reason, field in (
        ("   ", "reason"),
        ("shown is Alice Smith, call +44 20 7946 0958", "reason"),
    ):
        r = api.client.post(
            f"/v1/cases/{case.id}/decision",
            json={"action": "remove", "reason": reason},
            headers=moderator,
        )
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field
    assert _rows(api) == []
    assert api.services.cases.get(case.id).action is None  # the decision rolled back too


def test_EU_7_when_a_case_about_a_blocked_upload_is_removed_then_no_second_statement(
    api: Api,
) -> None:
    _enrol(api)
    decision = _upload(api, api.key(Scope.SCREEN))
    case = api.services.cases.open(CaseKind.AUTOMATED_REVIEW, Item(decision_id=decision["id"]))
    alice = api.services.keys.users.add("carol", Role.MODERATOR)
    api.services.cases.decide(case.id, Action.REMOVE, reason="confirmed", actor=alice)
    with api.services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(statements)).scalar_one() == 1


def _written_events(api: Api) -> list[CaseEvent]:
    with api.services.db.read() as conn:
        return [e for e in chain.events(conn) if e.kind is EventKind.STATEMENT_WRITTEN]


def test_EU_7_when_a_statement_is_written_then_the_audit_chain_holds_it_and_still_verifies(
    api: Api,
) -> None:
    _enrol(api)
    upload = _upload(api, api.key(Scope.SCREEN))
    case = api.services.cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://p.example/4"))
    alice = api.services.keys.users.add("alice", Role.MODERATOR)
    api.services.cases.decide(case.id, Action.REMOVE, reason="shared without consent", actor=alice)
    rows = {row.id: row for row in _rows(api)}
    events = _written_events(api)
    assert [e.data["statement_id"] for e in events] == list(rows)  # one each, in order
    blocked, removed = events
    assert (blocked.actor, blocked.data["decision_id"], blocked.data["source"]) == (
        "automated", upload["id"], "upload",
    )  # fmt: skip
    assert (removed.actor, removed.data["case_id"], removed.data["source"]) == (
        "alice", case.id, "case",
    )  # fmt: skip
    for event in events:
        row = rows[event.data["statement_id"]]
        assert event.case_id is None and event.at == store.get(api.services.db, row.id).created_at
        assert event.data["sha256"] == hashlib.sha256(chain.canonical(row.statement)).hexdigest()
        assert event.data["category"] == row.statement["category"]
    with api.services.db.read() as conn:
        assert chain.verify(conn).events == len(list(chain.events(conn)))
        assert replay(conn).mismatches == ()  # the case's version counts its own events


def test_EU_7_when_the_removal_rolls_back_then_its_statement_event_does_too(api: Api) -> None:
    case = api.services.cases.open(CaseKind.TAKE_IT_DOWN, Item(url="https://p.example/5"))
    r = api.client.post(
        f"/v1/cases/{case.id}/decision",
        json={"action": "remove", "reason": "shown is Alice Smith, alice@example.org"},
        headers=api.user_key("bob", Role.MODERATOR),
    )
    assert r.status_code == 422
    assert _written_events(api) == []
