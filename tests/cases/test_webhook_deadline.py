"""The webhook timeout is the whole delivery's deadline, not each read's.

A receiver that answers one byte every half second never trips a per-read
timeout; the delivery must still end about ``webhook_timeout_s`` after it began,
as a failure whose outcome is unknown (retried under the same key).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from consentgate.cases.outbox import ActionStatus
from consentgate.cases.worker import ActionWorker
from consentgate.store.database import Database
from tests.cases.actionkit import hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock

TIMEOUT_S = 1.0
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@contextmanager
def receiver(trickle_from: int) -> Iterator[str]:
    """A platform that sends its answer's first ``trickle_from`` bytes at once, then
    the rest one byte every 0.5 s (every read arrives well within the timeout)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)  # the request (small: one action's JSON)
                try:
                    conn.sendall(ANSWER[:trickle_from])
                    for byte in ANSWER[trickle_from:]:
                        if stop.wait(0.5):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue  # the sender cut the connection: wait for the next one

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/consentgate"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


@pytest.mark.parametrize(
    ("trickle_from", "what"),
    [(0, "the status line"), (17, "the headers"), (9, "the status code")],
)
def test_when_the_receiver_trickles_its_answer_then_the_delivery_ends_at_its_deadline(
    db: Database, clock: MovableClock, trickle_from: int, what: str
) -> None:
    with receiver(trickle_from) as url:
        settings = webhook_settings(db, webhook_url=url, webhook_timeout_s=TIMEOUT_S)
        case = removed(hooked(db, settings, clock))
        worker = ActionWorker(db, settings, clock=clock)  # its own client, as in service
        try:
            started = time.monotonic()
            attempted = worker.run_once()
            took = time.monotonic() - started
        finally:
            worker.close()
    assert attempted == 1
    assert took < 3 * TIMEOUT_S, f"a receiver trickling {what} held the delivery {took:.1f} s"
    (action,) = [a for a in worker.queue.list() if a.case_id == case.id]
    assert action.status is ActionStatus.PENDING  # failed, retried under the same key
    assert action.last_error is not None and "outcome is unknown" in action.last_error


def test_when_the_receiver_answers_promptly_then_the_delivery_is_sent(
    db: Database, clock: MovableClock
) -> None:
    with receiver(len(ANSWER)) as url:
        settings = webhook_settings(db, webhook_url=url, webhook_timeout_s=TIMEOUT_S)
        case = removed(hooked(db, settings, clock))
        worker = ActionWorker(db, settings, httpx.Client(timeout=TIMEOUT_S), clock)
        try:
            assert worker.run_once() == 1
        finally:
            worker.close()
    (action,) = [a for a in worker.queue.list() if a.case_id == case.id]
    assert action.status is ActionStatus.SENT
