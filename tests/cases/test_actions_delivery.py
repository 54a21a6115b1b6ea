"""Delivery under concurrency and over a real socket, and the settings that enable it."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from consentgate.cases import webhook
from consentgate.cases.outbox import ActionStatus
from consentgate.cases.worker import ActionWorker, start_worker
from consentgate.errors import ConfigError
from consentgate.settings import load_settings
from consentgate.store.database import Database
from tests.cases.actionkit import SECRET, Platform, hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock


def test_when_two_workers_share_one_store_then_each_action_is_delivered_exactly_once(
    db: Database, clock: MovableClock
) -> None:
    settings = webhook_settings(db)
    cases = hooked(db, settings, clock)
    for _ in range(24):
        removed(cases)
    calls: Counter[str] = Counter()
    lock = threading.Lock()

    def platform(request: httpx.Request) -> httpx.Response:
        time.sleep(0.005)  # long enough for the other worker to try the same rows
        with lock:
            calls[request.headers[webhook.IDEMPOTENCY_KEY]] += 1
        return httpx.Response(204)

    def run() -> None:
        own = Database(db.url)  # each worker its own pool, as in two processes
        client = httpx.Client(transport=httpx.MockTransport(platform))
        worker = ActionWorker(own, settings, client, clock, batch=3)
        try:
            while worker.run_once():
                pass
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(calls) == 24 and set(calls.values()) == {1}
    queue = ActionWorker(db, settings, Platform().client(), clock).queue
    assert {a.status for a in queue.list()} == {ActionStatus.SENT}


class _Receiver(BaseHTTPRequestHandler):
    """A platform endpoint as its docs tell it to be written: verify, then act."""

    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = webhook.verify(
            SECRET, self.headers[webhook.TIMESTAMP], body, self.headers[webhook.SIGNATURE]
        )
        if signed:
            self.received.append(json.loads(body))
        self.send_response(200 if signed else 401)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/consentgate"
    server.shutdown()
    server.server_close()


def test_when_the_background_worker_runs_then_a_real_endpoint_receives_a_verified_removal(
    db: Database, clock: MovableClock, receiver: str
) -> None:
    settings = webhook_settings(db, webhook_url=receiver)
    cases = hooked(db, settings, clock)
    case = removed(cases)
    background = start_worker(db, settings, clock=clock, interval_s=0.05)
    assert background is not None
    try:
        deadline = time.monotonic() + 10
        while not _Receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        background.stop()
    assert [(r["action"], r["case_id"]) for r in _Receiver.received] == [("remove", case.id)]


def test_when_no_webhook_url_is_set_then_no_background_worker_starts(db: Database) -> None:
    settings = webhook_settings(db, webhook_url=None, webhook_secret=None)
    assert start_worker(db, settings) is None


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"webhook_url": "ftp://platform.example/hook", "webhook_secret": "k"}, "WEBHOOK_URL"),
        ({"webhook_url": "https://"}, "WEBHOOK_URL"),
        ({"webhook_url": "https://platform.example/hook"}, "WEBHOOK_SECRET"),
        ({"webhook_url": "https://platform.example/hook", "webhook_secret": ""}, "WEBHOOK_SECRET"),
        ({"action_max_attempts": 0}, "ACTION_MAX_ATTEMPTS"),
    ],
)
def test_when_webhook_settings_are_invalid_then_start_up_fails_naming_them(
    values: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(**values)


def test_when_webhook_settings_are_valid_then_the_secret_is_never_shown() -> None:
    settings = load_settings(webhook_url="https://platform.example/hook", webhook_secret="k3y")
    assert "k3y" not in repr(settings)
