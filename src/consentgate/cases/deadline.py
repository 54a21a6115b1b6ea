"""A total deadline for one webhook delivery, whatever the receiver does.

Why: httpx's timeouts are per operation (connect, each write, each read). A
receiver that trickles its answer one byte every half second never trips a
3-second read timeout, and holds the delivery thread for as long as it likes
(25 s was measured against a 3 s setting). ``CONSENTGATE_WEBHOOK_TIMEOUT_S``
is meant as the time one delivery may take, start to finish.

How: a timer shuts the delivery's socket down at the deadline; the blocked
read returns at once, httpx raises, and the delivery is a failure whose
outcome is unknown (the platform may have acted, so the retry carries the
same ``Idempotency-Key``). The socket comes from httpcore's ``trace``
extension (``connection.connect_tcp.complete``), and each delivery opens its
own connection (``Connection: close``), so the socket shut is always this
delivery's. A connection still being made is bounded by the client's connect
timeout (the same setting).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Any

CONNECTED = "connection.connect_tcp.complete"


class DeliveryDeadline:
    """Cuts one delivery's connection ``seconds`` after ``with`` is entered."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: remember each socket this delivery connects."""
        if event != CONNECTED:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                if self.expired:  # connected just after the deadline: cut it at once
                    _shut(sock)

    def __enter__(self) -> DeliveryDeadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: the delivery ended on its own
        sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked on this socket
