"""The case page: the decision in words, deciding with a reason as the session's user, 409s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from consentgate.banks.records import BankKind, RetroFinding
from consentgate.cases.records import Action, CaseKind, CaseState, EventKind
from consentgate.people import Role
from consentgate.records import Mode, ScreenRequest
from tests.console.pages_kit import Console, console_app, settings_for


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url, store_prompts="all")) as console:
        yield console


@pytest.fixture
def pg_console(database_url: str) -> Iterator[Console]:
    """On SQLite and on PostgreSQL: where concurrency and the store matter."""
    with console_app(settings_for(database_url)) as console:
        yield console


def _reviewed(console: Console, prompt: str = "please make it explicit, crash") -> str:
    """A screen a person must review (a detector failed: R9) whose prompt was kept."""
    decision = console.services.screen(ScreenRequest(mode=Mode.GENERATE, prompt=prompt))
    (case,) = [c for c in console.services.cases.list_cases() if c.item.decision_id == decision.id]
    return case.id


def test_when_a_screen_opened_the_case_then_its_rules_scores_and_matched_text_are_shown(
    console: Console,
) -> None:
    case_id = _reviewed(console)
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{case_id}").text

    assert "The screen decided <strong>block</strong>" in html
    assert "Rule R6: block" in html and "Rule R9: review" in html
    assert re.search(
        r"words_fake 0-test.*?sexual_explicit.*?0\.99 <strong>fired</strong>.*?0\.50", html, re.S
    )
    assert "please make it <mark>explicit</mark>, crash" in html
    assert "Detector failed: broken_fake error" in html


def test_when_the_prompt_was_not_kept_then_the_page_says_so_and_shows_no_text(
    sqlite_url: str,
) -> None:
    with console_app(settings_for(sqlite_url)) as console:  # store_prompts: none
        case_id = _reviewed(console, "make it explicit, crash, secret words")
        console.act_as("alice", Role.MODERATOR)

        html = console.client.get(f"/console/cases/{case_id}").text

    assert "The prompt was not kept" in html
    assert "secret words" not in html


def test_when_a_bank_match_opened_the_case_then_the_bank_entry_and_distance_are_shown(
    console: Console,
) -> None:
    bank = console.services.banks.service.create_bank("victims", BankKind.NCII, threshold=31)
    finding = RetroFinding(
        id=1, entry_id=42, bank=bank.name, bank_kind=bank.kind, screened_id=1,
        decision_id="d" * 32, target="output_image", hash_type="pdq", distance=7,
        found_at=datetime(2026, 12, 1, tzinfo=UTC),
    )  # fmt: skip
    with console.services.db.write() as conn:
        console.services.automated.found(conn, [finding])
    (case,) = console.services.cases.list_cases()
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{case.id}").text

    assert (
        "Matched bank <strong>victims</strong>, entry <strong>42</strong>, at distance "
        "<strong>7</strong> (matches at 31 or less) (pdq)"
    ) in html


def test_when_a_notice_opened_the_case_then_its_explanation_shows_and_its_contact_does_not(
    console: Console,
) -> None:
    receipt = console.notice("take_it_down")
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{receipt.cases[0]}").text

    assert "I never agreed to this picture being shared." in html
    assert "posted on 2 December" in html
    assert "sam@mail.example" not in html and "Sam Example" not in html


def test_when_a_moderator_decides_then_the_event_is_theirs_whatever_the_form_says(
    console: Console,
) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    alice = console.act_as("alice", Role.MODERATOR)

    answer = console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "remove", "reason": "intimate image, no consent", "version": case.version,
         "actor": "mallory", "user_id": "u-mallory"},
    )  # fmt: skip

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/queue?decided={case.id}"
    (decided,) = console.events(case.id, EventKind.DECIDED)
    assert decided.actor == "alice" and decided.data["user_id"] == alice.id
    assert decided.reason == "intimate image, no consent"
    assert console.services.cases.get(case.id).state is CaseState.ACTIONED


def test_when_someone_else_decided_first_then_409_is_shown_plainly_and_nothing_changes(
    pg_console: Console,
) -> None:
    console = pg_console
    case = console.open(CaseKind.TAKE_IT_DOWN)
    bob = console.user("bob", Role.MODERATOR)
    console.services.cases.decide(case.id, Action.NO_ACTION, reason="not intimate", actor=bob)
    console.act_as("alice", Role.MODERATOR)

    answer = console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "remove", "reason": "remove it", "version": case.version},
    )

    assert answer.status_code == 409
    assert "Not saved: someone else changed this case first." in answer.text
    assert "No action by bob" in answer.text  # the case as it now stands
    assert [e.actor for e in console.events(case.id, EventKind.DECIDED)] == ["bob"]


def test_when_the_case_moved_on_since_the_reviewer_saw_it_then_409(console: Console) -> None:
    case = console.open(CaseKind.DSA_NOTICE)
    bob = console.user("bob", Role.MODERATOR)
    console.services.cases.record(case.id, EventKind.ESCALATED, actor=bob, reason="threat")
    console.act_as("alice", Role.MODERATOR)

    answer = console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "no_action", "reason": "fine", "version": case.version},
    )

    assert answer.status_code == 409
    assert "reload it and decide again" in answer.text
    assert console.events(case.id, EventKind.DECIDED) == []


@pytest.mark.parametrize(
    "case_id", ["zzz", "0123456789abcdef0123456789abcdef0", "..%2F..%2Fetc", "ABCDEF", "f" * 32]
)
def test_when_the_case_id_names_no_case_then_404(console: Console, case_id: str) -> None:
    console.act_as("alice", Role.MODERATOR)

    assert console.client.get(f"/console/cases/{case_id}").status_code == 404
    answer = console.post(
        f"/console/cases/{case_id}/decision", {"action": "remove", "reason": "x", "version": 0}
    )
    assert answer.status_code == 404


def test_when_the_case_is_in_a_queue_the_role_does_not_work_then_403(console: Console) -> None:
    case = console.open(CaseKind.CHILD_SAFETY)
    console.act_as("carol", Role.APPEALS)

    assert console.client.get(f"/console/cases/{case.id}").status_code == 403
    answer = console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "remove", "reason": "x", "version": case.version},
    )
    assert answer.status_code == 403
    assert console.events(case.id, EventKind.DECIDED) == []


def test_when_compliance_opens_a_case_then_it_may_read_it_but_is_offered_no_decision(
    console: Console,
) -> None:
    case = console.open(CaseKind.CHILD_SAFETY)
    console.act_as("cleo", Role.COMPLIANCE)

    html = console.client.get(f"/console/cases/{case.id}").text
    answer = console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "remove", "reason": "x", "version": case.version},
    )

    assert 'id="decide"' not in html
    assert answer.status_code == 403


def test_when_a_reviewer_escalates_then_the_case_is_urgent_and_the_event_names_them(
    console: Console,
) -> None:
    case = console.open(CaseKind.DSA_NOTICE)
    alice = console.act_as("alice", Role.MODERATOR)

    answer = console.post(f"/console/cases/{case.id}/escalation", {"reason": "threat to life"})

    assert answer.status_code == 303
    (event,) = console.events(case.id, EventKind.ESCALATED)
    assert (event.actor, event.data["user_id"], event.reason) == (
        "alice",
        alice.id,
        "threat to life",
    )
    assert console.services.cases.get(case.id).escalated
    again = console.post(f"/console/cases/{case.id}/escalation", {"reason": "again"})
    assert again.status_code == 409


def test_when_the_decider_opens_the_appealed_case_then_they_are_not_offered_the_appeal(
    console: Console,
) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    console.act_as("alice", Role.ADMIN)
    console.post(
        f"/console/cases/{case.id}/decision",
        {"action": "remove", "reason": "intimate", "version": case.version},
    )
    appealed = console.post(
        f"/console/cases/{case.id}/appeal", {"by": "affected_user", "text": "it is my own photo"}
    )
    assert appealed.status_code == 303

    html = console.client.get(f"/console/cases/{case.id}").text
    refused = console.post(
        f"/console/cases/{case.id}/appeal-decision", {"outcome": "reversed", "reason": "mine"}
    )

    assert 'id="own-decision"' in html and 'id="appeal-decide"' not in html
    assert refused.status_code == 403
    console.act_as("bob", Role.APPEALS)
    reversed_ = console.post(
        f"/console/cases/{case.id}/appeal-decision", {"outcome": "reversed", "reason": "consented"}
    )
    assert reversed_.status_code == 303
    assert console.services.cases.get(case.id).state is CaseState.REVERSED
    history = console.client.get(f"/console/cases/{case.id}").text
    assert re.search(r"<strong>Appeal decided</strong> by bob: reversed; “consented”", history)


def test_when_the_case_is_open_then_the_statement_of_reasons_is_previewed(
    console: Console,
) -> None:
    receipt = console.notice("dsa_notice")
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{receipt.cases[0]}").text

    assert "Statement of reasons (preview)" in html
    for field, value in [
        ("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED"),
        ("source_type", "SOURCE_ARTICLE_16"),
        ("automated_detection", "No"),
        ("automated_decision", "AUTOMATED_DECISION_NOT_AUTOMATED"),
    ]:
        assert f"<dt>{field}</dt><dd>{value}</dd>" in html


@pytest.mark.parametrize(
    ("act", "focused"),
    [("remove", 'id="reason"'), ("no_action", 'id="reason"'), ("escalate", 'id="escalate-reason"')],
)
def test_when_a_key_sent_the_reviewer_here_then_its_action_is_chosen_and_the_reason_focused(
    console: Console, act: str, focused: str
) -> None:
    case = console.open(CaseKind.DSA_NOTICE)
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{case.id}?act={act}").text

    assert re.search(focused + r"[^>]*autofocus", html)
    if act != "escalate":
        assert re.search(rf'value="{act}"[^>]* checked', html)
