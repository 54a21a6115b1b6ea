"""Sealed evidence on the case page: nothing sent until revealed; every reveal an event."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from consentgate.cases.records import EventKind
from consentgate.people import Role
from tests.api.conftest import png
from tests.console.pages_kit import Console, console_app, evidence_key, settings_for

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
