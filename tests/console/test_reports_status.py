"""The reports page's counts, and the reporter's status page (public, by tracking code)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from consentgate.cases.records import Action, CaseKind
from consentgate.people import Role
from tests.console.pages_kit import Console, console_app, settings_for


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url, notice_rate_burst=3)) as console:
        yield console


def test_when_cases_were_worked_then_the_reports_page_counts_them(console: Console) -> None:
    alice = console.user("alice", Role.MODERATOR)
    decided = console.open(CaseKind.TAKE_IT_DOWN)
    console.open(CaseKind.TAKE_IT_DOWN)
    console.services.cases.decide(decided.id, Action.REMOVE, reason="r", actor=alice)
    console.act_as("cleo", Role.COMPLIANCE)

    html = console.client.get("/console/reports?days=7").text

    row = re.search(r"Intimate images</td>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r'data-label="([^"]+)">([^<]*)<', row.group(1))
    assert dict(cells)["Received"] == "2" and dict(cells)["Removed"] == "1"
    assert dict(cells)["To decide"] == "1" and dict(cells)["Decided in period"] == "1"
    assert "<dt>Decided by a person</dt><dd>1</dd>" in html
    assert "GET /v1/audit/export" in html


@pytest.mark.parametrize("days", ["0", "367", "-1", "x"])
def test_when_the_period_is_out_of_range_then_422(console: Console, days: str) -> None:
    console.act_as("cleo", Role.COMPLIANCE)

    assert console.client.get(f"/console/reports?days={days}").status_code == 422


def test_when_a_reporter_follows_their_code_then_the_page_shows_the_decision_without_login(
    console: Console,
) -> None:
    receipt = console.notice("take_it_down")
    alice = console.user("alice", Role.MODERATOR)
    console.services.cases.decide(receipt.cases[0], Action.REMOVE, reason="r", actor=alice)
    console.log_out()

    answer = console.client.get(f"/console/status/{receipt.tracking_code}")

    assert answer.status_code == 200
    assert "https://social.example/p/456" in answer.text
    assert "<dt>Decision</dt><dd>Remove," in answer.text
    assert "decided by a person" in answer.text and "Appeal until" in answer.text
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
    assert "alice" not in answer.text  # the reviewer is not named to the reporter
    assert 'href="/console/queue"' not in answer.text


def test_when_a_reporter_types_their_code_then_the_form_leads_to_their_page(
    console: Console,
) -> None:
    receipt = console.notice("dsa_notice")
    console.log_out()

    form = console.client.get("/console/status")
    answer = console.post("/console/status", {"code": f"  {receipt.tracking_code} "})

    assert form.status_code == 200 and 'name="code"' in form.text
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/status/{receipt.tracking_code}"


@pytest.mark.parametrize("code", ["Zz9_unknown-code-of-32-characters", "short", "bad/../chars"])
def test_when_the_code_is_unknown_then_404_and_guessing_is_slowed(
    console: Console, code: str
) -> None:
    console.log_out()

    answers = [console.client.get(f"/console/status/{code}") for _ in range(5)]

    assert answers[0].status_code == 404
    slowed = [a for a in answers if a.status_code == 429]  # this address's burst of 3 is spent
    assert slowed and slowed[0].headers["retry-after"].isdigit()
    assert all('href="/console/queue"' not in a.text for a in answers)  # the public layout
