"""``consentgate actions``: list, run and replay the webhook queue against a real endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result

from consentgate.cases.actions import action_hook
from consentgate.cases.clock import system_clock
from consentgate.cases.service import CaseService
from consentgate.cases.webhook import IDEMPOTENCY_KEY
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.cases.actionkit import SECRET, removed


class _Platform(BaseHTTPRequestHandler):
    statuses: ClassVar[list[int]] = []
    keys: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).keys.append(self.headers[IDEMPOTENCY_KEY])
        self.send_response(self.statuses.pop(0) if self.statuses else 200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def platform_url() -> Iterator[str]:
    _Platform.statuses, _Platform.keys = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    upgrade(db)
    yield db
    db.dispose()


def invoke(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(cli, ["actions", *args], obj=AppContext(settings=settings))


def test_when_a_removal_fails_then_it_is_listed_as_dead_replayed_and_delivered(
    store: Database, platform_url: str
) -> None:
    unset = Settings(database_url=store.url)
    removed(CaseService(store, unset, clock=system_clock, hooks=[action_hook(unset)]))
    waiting = invoke(unset, "run")
    assert waiting.exit_code == 2
    assert "CONSENTGATE_WEBHOOK_URL is not set: 1 pending" in waiting.output

    settings = Settings(
        database_url=store.url,
        webhook_url=platform_url,
        webhook_secret=SECRET,  # type: ignore[arg-type]
        action_max_attempts=1,
    )
    _Platform.statuses = [500]
    assert invoke(settings, "run", "--once").exit_code == 0
    (dead,) = json.loads(invoke(settings, "list", "--status", "dead", "--json").output)
    assert (dead["kind"], dead["last_error"]) == ("remove", "HTTP 500")
    assert invoke(settings, "replay", str(dead["id"])).exit_code == 0
    again = invoke(settings, "replay", str(dead["id"]))
    assert again.exit_code == 3 and "not dead" in again.output
    assert invoke(settings, "run").exit_code == 0
    (sent,) = json.loads(invoke(settings, "list", "--json").output)
    assert sent["status"] == "sent"
    assert _Platform.keys == [sent["idempotency_key"]] * 2
    assert "Actions" in invoke(settings, "list").output


def test_when_the_action_does_not_exist_then_replay_exits_3(store: Database) -> None:
    result = invoke(Settings(database_url=store.url), "replay", "999")
    assert result.exit_code == 3 and "no action 999" in result.output
