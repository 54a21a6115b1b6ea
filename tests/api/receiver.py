"""A platform's webhook endpoint on a real socket: slow when told, deduplicating on
``Idempotency-Key``, and keeping each item's state as the platform would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from consentgate.cases import webhook


@dataclass(frozen=True)
class Arrival:
    action: str
    key: str
    item: str
    at: float  # time.monotonic()


@dataclass
class Receiver:
    """Carries out each action ``delay_s`` after it arrives, then answers 200."""

    delay_s: float = 0.0
    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)  # item -> removed | restored
    applied: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, key: str, body: dict[str, object]) -> None:
        item = body["item"]
        assert isinstance(item, dict) and body["idempotency_key"] == key
        arrival = Arrival(str(body["action"]), key, str(item["url"]), time.monotonic())
        with self.lock:
            self.arrivals.append(arrival)
            delay = self.delay_s
        time.sleep(delay)
        with self.lock:  # an answer cut off on our side does not undo the work
            if key not in self.applied:
                self.applied.add(key)
                self.state[arrival.item] = "removed" if arrival.action == "remove" else "restored"

    def keys(self, since: float = 0.0) -> list[str]:
        """Each key once, in the order it first arrived (after ``since``)."""
        with self.lock:
            seen = [a.key for a in self.arrivals if a.at >= since]
        return list(dict.fromkeys(seen))

    def wait(self, until: Callable[[], bool], seconds: float) -> bool:
        """Poll ``until()`` for at most ``seconds``: a functional deadline, not a timing."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until():
                return True
            time.sleep(0.1)
        return until()


@contextmanager
def receiving(delay_s: float = 0.0) -> Iterator[Receiver]:
    receiver = Receiver(delay_s=delay_s)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.receive(self.headers[webhook.IDEMPOTENCY_KEY], json.loads(body))
            try:
                self.send_response(200)
                self.end_headers()
            except OSError:  # the sender gave up waiting: its problem, not ours
                pass

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/consentgate"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
