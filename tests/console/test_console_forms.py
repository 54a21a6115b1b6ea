"""Every page needs a login, every form its CSRF token, and no input is a 500.

The hostile table mirrors the API's (``tests/api/test_fuzz.py``): text a store
cannot keep (NUL, other control characters, unpaired surrogates), integers past
a column's range, oversized text and broken cursors, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from consentgate.banks.records import BankKind
from consentgate.cases.records import CaseKind, EventKind
from consentgate.people import Role
from tests.console.pages_kit import Console, console_app, settings_for

PAGES = ["/console/queue", "/console/appeals", "/console/banks", "/console/reports",
         "/console/cases/0123abcd"]  # fmt: skip


@pytest.fixture
def console(database_url: str) -> Iterator[Console]:
    with console_app(settings_for(database_url)) as console:
        console.services.banks.service.create_bank("victims", BankKind.NCII)
        yield console


@pytest.mark.parametrize("path", PAGES)
def test_when_nobody_is_logged_in_then_each_page_sends_them_to_log_in(
    console: Console, path: str
) -> None:
    console.log_out()

    answer = console.client.get(path, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=")


def test_when_a_form_comes_without_its_csrf_token_then_403_and_nothing_changes(
    console: Console,
) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    console.act_as("alice", Role.MODERATOR)
    console.check_csrf(True)

    decision = {"action": "remove", "reason": "x", "version": case.version}
    forms = [
        (f"/console/cases/{case.id}/decision", decision),
        (f"/console/cases/{case.id}/escalation", {"reason": "x"}),
        ("/console/banks/entries", {"bank": "victims", "md5": "a" * 32, "reason": "x"}),
        (f"/console/cases/{case.id}/decision", decision | {"csrf_token": "forged"}),
    ]
    answers = [console.post(path, data).status_code for path, data in forms]

    assert answers == [403, 403, 403, 403]
    assert len(console.events(case.id)) == 1  # received, nothing after
    assert console.services.banks.service.list_entries("victims") == []


HOSTILE_TEXT = ["a\x00b", "\x1b[2J", "x\x7f", "r" * 10_001]
HOSTILE_INT = ["2147483648", "9223372036854775808", "-1", "1e9", "0x10"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_when_a_reason_cannot_be_stored_then_422_and_nothing_is_written(
    console: Console, text: str
) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    console.act_as("alice", Role.ADMIN)
    forms = [
        (f"/console/cases/{case.id}/decision", {"action": "remove", "reason": text, "version": 1}),
        (f"/console/cases/{case.id}/escalation", {"reason": text}),
        ("/console/banks/entries", {"bank": "victims", "md5": "a" * 32, "reason": text}),
        ("/console/banks/withdrawals", {"entry_id": 1, "reason": text}),
    ]

    answers = [_raw_post(console, path, data) for path, data in forms]

    assert [a.status_code for a in answers] == [422] * 4
    assert all(a.headers["content-type"].startswith("text/html") for a in answers)
    assert len(console.events(case.id)) == 1


def _raw_post(console: Console, path: str, data: dict[str, object]) -> Any:
    """A form body as bytes, so that it can carry what a browser could send (a lone surrogate
    encoded as UTF-8 bytes, which the server decodes back to one)."""
    body = "&".join(
        f"{k}={quote(str(v), safe='', errors='surrogatepass')}" for k, v in data.items()
    )
    return console.client.post(
        path,
        content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def test_when_a_reason_is_not_utf_8_then_it_is_read_with_replacement_characters(
    console: Console,
) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    console.act_as("alice", Role.ADMIN)

    answer = _raw_post(console, f"/console/cases/{case.id}/escalation", {"reason": "a\udcffb"})

    assert answer.status_code == 303
    (escalated,) = console.events(case.id, EventKind.ESCALATED)
    assert escalated.reason == "a\ufffd\ufffd\ufffdb"


@pytest.mark.parametrize("number", HOSTILE_INT)
def test_when_a_number_is_out_of_range_then_422(console: Console, number: str) -> None:
    case = console.open(CaseKind.TAKE_IT_DOWN)
    console.act_as("alice", Role.ADMIN)

    decided = console.post(
        f"/console/cases/{case.id}/decision", {"action": "remove", "reason": "r", "version": number}
    )
    withdrawn = console.post("/console/banks/withdrawals", {"entry_id": number, "reason": "r"})
    reported = console.client.get(f"/console/reports?days={number}")

    assert (decided.status_code, reported.status_code) == (422, 422)
    # An entry id is a BIGINT: 2**31 is a valid id of no entry.
    assert withdrawn.status_code == (404 if number == "2147483648" else 422)
    assert console.events(case.id, EventKind.DECIDED) == []


@pytest.mark.parametrize(
    "path",
    [
        "/console/queue?after=eyJ4IjoxfQ",
        "/console/queue?after=W1siYSJdLCAiYiIsICJjIl0",  # a list where a number belongs
        "/console/appeals?after=%00",
        "/console/cases/" + "a" * 5000,
        "/console/cases/%00",
        "/console/status/" + "a" * 5000,
        "/console/status/%ff%fe",
    ],
)
def test_when_a_path_or_query_is_hostile_then_the_answer_is_a_page_never_a_500(
    console: Console, path: str
) -> None:
    console.act_as("alice", Role.ADMIN)

    answer = console.client.get(path)

    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"].startswith("text/html")
