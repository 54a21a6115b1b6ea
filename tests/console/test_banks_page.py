"""The banks page: sizes, quarantined entries, recent matches; changes with a reason, by role."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from consentgate.audit import chain
from consentgate.banks.records import BankKind, EntryStatus
from consentgate.cases.records import CaseEvent, EventKind
from consentgate.people import Role
from consentgate.records import Mode, ScreenRequest
from tests.api.conftest import png
from tests.console.pages_kit import Console, console_app, settings_for

PDQ = "f" * 16 + "0" * 48
MD5 = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url)) as console:
        banks = console.services.banks.service
        banks.create_bank("victims", BankKind.NCII, description="reported by the people shown")
        banks.add_entry("victims", md5=MD5, added_by="seed")
        yield console


def _bank_events(console: Console) -> list[CaseEvent]:
    with console.services.db.read() as conn:
        return [e for e in chain.events(conn) if e.kind is EventKind.BANK_CHANGED]


def test_when_the_banks_page_is_shown_then_sizes_and_quarantined_entries_are_listed(
    console: Console,
) -> None:
    banks = console.services.banks.service
    paused = banks.add_entry("victims", pdq=PDQ, pdq_quality=100, added_by="seed").entry
    banks.quarantine(paused.id, "matched 500 times in a minute")
    console.act_as("bob", Role.APPEALS)

    html = console.client.get("/console/banks").text

    assert '<td data-label="Active entries">1</td>' in html
    assert '<td data-label="Quarantined">1</td>' in html
    assert f'<td data-label="Entry">{paused.id}</td>' in html
    assert "matched 500 times in a minute" in html
    assert "may read the banks but not change them" in html and 'id="add-h"' not in html


def test_when_a_moderator_adds_an_entry_then_it_matches_and_the_change_names_them(
    console: Console,
) -> None:
    console.act_as("alice", Role.MODERATOR)

    answer = console.post(
        "/console/banks/entries",
        {"bank": "victims", "pdq": PDQ.upper(), "reason": "victim's own hash"},
    )

    assert answer.status_code == 303
    (entry,) = [e for e in console.services.banks.service.list_entries("victims") if e.pdq == PDQ]
    assert (entry.added_by, entry.note, entry.status) == (
        "alice",
        "victim's own hash",
        EntryStatus.ACTIVE,
    )
    assert _bank_events(console)[-1].actor == "alice"


def test_when_a_moderator_withdraws_and_reinstates_an_entry_then_each_has_its_reason(
    console: Console,
) -> None:
    (entry,) = console.services.banks.service.list_entries("victims")
    console.act_as("alice", Role.MODERATOR)

    withdrawn = console.post(
        "/console/banks/withdrawals", {"entry_id": entry.id, "reason": "the person withdrew it"}
    )
    after_withdrawal = console.services.banks.service.get_entry(entry.id)
    reinstated = console.post(
        "/console/banks/reinstatements", {"entry_id": entry.id, "reason": "asked again"}
    )

    assert (withdrawn.status_code, reinstated.status_code) == (303, 303)
    assert after_withdrawal.status is EntryStatus.WITHDRAWN
    assert console.services.banks.service.get_entry(entry.id).status is EntryStatus.ACTIVE
    changes = [(e.data["change"], e.actor, e.reason) for e in _bank_events(console)[-2:]]
    assert changes == [
        ("entry_withdrawn", "alice", "the person withdrew it"),
        ("entry_reinstated", "alice", "asked again"),
    ]


@pytest.mark.parametrize("role", [Role.APPEALS, Role.COMPLIANCE])
def test_when_a_role_may_not_change_banks_then_every_change_is_403(
    console: Console, role: Role
) -> None:
    (entry,) = console.services.banks.service.list_entries("victims")
    console.act_as("someone", role)
    before = len(_bank_events(console))

    answers = [
        console.post("/console/banks/entries", {"bank": "victims", "md5": "a" * 32, "reason": "x"}),
        console.post("/console/banks/withdrawals", {"entry_id": entry.id, "reason": "x"}),
        console.post("/console/banks/reinstatements", {"entry_id": entry.id, "reason": "x"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert len(_bank_events(console)) == before


@pytest.mark.parametrize(
    "form",
    [
        {"bank": "victims", "pdq": "xyz", "reason": "r"},
        {"bank": "victims", "reason": "r"},
        {"bank": "nobank", "md5": "b" * 32, "reason": "r"},
        {"bank": "victims", "md5": MD5, "reason": "r"},  # already in the bank
        {"bank": "victims", "md5": "c" * 32, "reason": ""},
    ],
)
def test_when_an_entry_to_add_is_bad_then_the_page_says_why_and_nothing_is_added(
    console: Console, form: dict[str, str]
) -> None:
    console.act_as("alice", Role.MODERATOR)

    answer = console.post("/console/banks/entries", form)

    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"].startswith("text/html")
    assert len(console.services.banks.service.list_entries("victims")) == 1


def test_when_an_entry_id_is_unknown_then_404(console: Console) -> None:
    console.act_as("alice", Role.MODERATOR)

    answer = console.post("/console/banks/withdrawals", {"entry_id": 999_999, "reason": "x"})

    assert answer.status_code == 404


def test_when_an_added_entry_matches_screened_content_then_it_is_a_recent_match(
    console: Console,
) -> None:
    image = png()
    console.services.screen(ScreenRequest(mode=Mode.UPLOAD, output_image=image))
    console.act_as("alice", Role.MODERATOR)

    console.post(
        "/console/banks/entries",
        {"bank": "victims", "md5": hashlib.md5(image).hexdigest(), "reason": "reported"},
    )
    html = console.client.get("/console/banks").text

    findings = html.split('id="findings"')[1].split("</table>")[0]
    assert "victims / " in findings and "0 (md5)" in findings
