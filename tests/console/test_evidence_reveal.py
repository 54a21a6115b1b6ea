"""Sealed evidence on the case page: nothing sent until revealed; every reveal an event."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import EventKind
from consentgate.console.session import csrf_checked
from consentgate.people import Role
from tests.api.conftest import png
from tests.console.pages_kit import (
    Console,
    console_app,
    evidence_key,
    log_in_as,
    served_console,
    settings_for,
)

IMAGE = png()


@pytest.fixture
def console(sqlite_url: str) -> Iterator[Console]:
    with console_app(settings_for(sqlite_url, evidence_key=evidence_key())) as console:
        yield console


def _sealed(console: Console) -> tuple[str, str]:
    """A child-safety report whose (benign, drawn) image was sealed: its case and evidence."""
    receipt = console.notice("child_safety", items=[{"image": base64.b64encode(IMAGE).decode()}])
    case_id = receipt.cases[0]
    vault = console.services.automated.vault
    assert vault is not None
    (record,) = vault.list(case_id)
    return case_id, record.id


def test_when_the_case_page_is_shown_then_no_image_reaches_the_browser(console: Console) -> None:
    case_id, evidence_id = _sealed(console)
    console.act_as("cleo", Role.COMPLIANCE)

    html = console.client.get(f"/console/cases/{case_id}").text

    assert f'action="/console/cases/{case_id}/evidence/{evidence_id}"' in html
    assert (
        "<img hidden" in html
        and "src=" not in html.split('id="evidence"')[1].split("</section>")[0]
    )
    assert console.events(case_id, EventKind.EVIDENCE_VIEWED) == []


def test_when_compliance_reveals_evidence_then_it_gets_the_image_and_the_view_is_logged(
    console: Console,
) -> None:
    case_id, evidence_id = _sealed(console)
    cleo = console.act_as("cleo", Role.COMPLIANCE)

    answer = console.post(
        f"/console/cases/{case_id}/evidence/{evidence_id}", {"reason": "report to the hotline"}
    )

    assert answer.status_code == 200
    assert answer.content == IMAGE
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == "no-store"
    (viewed,) = console.events(case_id, EventKind.EVIDENCE_VIEWED)
    assert viewed.actor == "cleo" and viewed.data["user_id"] == cleo.id
    assert viewed.reason == "report to the hotline"
    assert viewed.data["evidence_id"] == evidence_id
    assert answer.headers["x-case-version"] == str(console.services.cases.get(case_id).version)
    console.post(f"/console/cases/{case_id}/evidence/{evidence_id}", {"reason": "again"})
    assert len(console.events(case_id, EventKind.EVIDENCE_VIEWED)) == 2


def test_when_a_moderator_tries_to_reveal_evidence_then_403_and_nothing_is_logged(
    console: Console,
) -> None:
    case_id, evidence_id = _sealed(console)
    console.act_as("alice", Role.MODERATOR)

    html = console.client.get(f"/console/cases/{case_id}").text
    answer = console.post(f"/console/cases/{case_id}/evidence/{evidence_id}", {"reason": "look"})

    assert "Only the compliance and admin roles may open evidence." in html
    assert answer.status_code == 403 and IMAGE not in answer.content
    assert console.events(case_id, EventKind.EVIDENCE_VIEWED) == []


def test_when_the_evidence_belongs_to_another_case_then_404(console: Console) -> None:
    case_id, evidence_id = _sealed(console)
    other, _ = _sealed(console)
    console.act_as("cleo", Role.COMPLIANCE)

    answer = console.post(f"/console/cases/{other}/evidence/{evidence_id}", {"reason": "look"})
    unknown = console.post(f"/console/cases/{case_id}/evidence/{'0' * 32}", {"reason": "look"})

    assert (answer.status_code, unknown.status_code) == (404, 404)
    assert console.events(case_id, EventKind.EVIDENCE_VIEWED) == []


def test_when_no_reason_is_given_then_422_and_nothing_is_opened(console: Console) -> None:
    case_id, evidence_id = _sealed(console)
    console.act_as("cleo", Role.COMPLIANCE)

    answer = console.post(f"/console/cases/{case_id}/evidence/{evidence_id}", {"reason": ""})

    assert answer.status_code == 422
    assert console.events(case_id, EventKind.EVIDENCE_VIEWED) == []


FILTER = "getComputedStyle(document.querySelector('[data-evidence] img')).filter"


def test_when_evidence_is_revealed_in_a_browser_then_it_shows_blurred_until_clicked(
    sqlite_url: str, browser_page: Any
) -> None:
    page = browser_page
    settings = settings_for(sqlite_url, evidence_key=evidence_key())
    with served_console(settings) as (base, app, services):
        intake = NoticeService(services.db, services.cases, vault=services.automated.vault)
        notice = {"kind": "child_safety", "explanation": "test", "bona_fide_statement": True,
                  "items": [{"image": base64.b64encode(IMAGE).decode()}]}  # fmt: skip
        case_id = intake.submit(parse_notice(json.dumps(notice))).cases[0]
        log_in_as(app, services.keys.users.add("ada", Role.ADMIN))
        app.dependency_overrides[csrf_checked] = lambda: None
        page.goto(f"{base}/console/cases/{case_id}")
        img = page.locator("[data-evidence] img")
        assert not img.is_visible()
        seen = page.locator("input[data-version]").input_value()

        page.fill("[data-evidence] input[name=reason]", "report to the hotline")
        page.click("[data-evidence] button[type=submit]")
        # Polled from here: the console's CSP (no eval) refuses wait_for_function's string.
        shown = "document.querySelector('[data-evidence] img')?.naturalWidth > 0"
        for _ in range(100):
            if page.evaluate(shown):
                break
            page.wait_for_timeout(100)
        assert page.evaluate(shown)

        assert page.evaluate(FILTER) == "grayscale(1) blur(18px)"
        img.click()
        assert page.evaluate(FILTER) == "none"
        img.click()
        assert page.evaluate(FILTER) == "grayscale(1) blur(18px)"
        viewed = [e for e in services.cases.history(case_id) if e.kind is EventKind.EVIDENCE_VIEWED]
        assert [e.reason for e in viewed] == ["report to the hotline"]
        now = services.cases.get(case_id).version
        assert (int(seen), int(page.locator("input[data-version]").input_value())) == (now - 1, now)
