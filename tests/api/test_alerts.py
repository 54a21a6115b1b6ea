"""Flood alerts over HTTP and the CLI (SQLite and PostgreSQL): listed, and the entry matches on."""

from __future__ import annotations

import json

from click.testing import CliRunner

from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.service.keys import Scope
from tests.api.conftest import Api, b64, photo

PHOTO = photo("coffee")


def test_when_a_protected_entry_floods_then_an_alert_is_listed_and_it_still_matches(
    api: Api,
) -> None:
    writer, screen = api.key(Scope.BANKS_WRITE), api.key(Scope.SCREEN)
    bank = {"name": "victims", "kind": "ncii", "flood_max_matches": 3, "flood_window_s": 3600}
    assert api.client.post("/v1/banks", json=bank, headers=writer).status_code == 201
    added = api.client.post("/v1/banks/victims/entries", json={"image": b64(PHOTO)}, headers=writer)
    assert added.status_code == 201, added.text
    entry_id = added.json()["entry"]["id"]
    assert api.client.get("/v1/alerts", headers=writer).json() == []

    body = {"mode": "upload", "output_image": b64(PHOTO)}
    verdicts = [
        api.client.post("/v1/screen", json=body, headers=screen).json()["decision"]
        for _ in range(10)
    ]

    assert verdicts == ["block"] * 10
    alerts = api.client.get("/v1/alerts", headers=writer).json()
    assert len(alerts) == 1
    assert alerts[0]["entry_id"] == entry_id and alerts[0]["bank"] == "victims"
    assert alerts[0]["bank_kind"] == "ncii" and "keeps matching" in alerts[0]["reason"]
    entry = api.client.get(f"/v1/entries/{entry_id}", headers=writer).json()
    assert entry["status"] == "active"
    after = api.client.get(f"/v1/alerts?after_id={alerts[0]['id']}", headers=writer).json()
    assert after == []

    result = CliRunner().invoke(
        cli, ["bank", "alerts", "--json"], obj=AppContext(settings=api.services.settings)
    )
    assert result.exit_code == 0, result.output
    assert [a["entry_id"] for a in json.loads(result.stdout)] == [entry_id]


def test_when_alerts_are_asked_without_the_scope_then_403(api: Api) -> None:
    r = api.client.get("/v1/alerts", headers=api.key(Scope.SCREEN))
    assert r.status_code == 403
