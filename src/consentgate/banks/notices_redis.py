"""Change notices over Redis pub/sub (when ``CONSENTGATE_REDIS_URL`` is set).

The writer publishes the change log's new seq after its commit. A worker
(``background=True``) hands it to a sender thread, so a slow or dead Redis
never holds the request that made the change: sends that pile up collapse into
the newest seq, and a failed send is dropped (the other workers' polls catch
it). A short-lived process (the CLI, the Python API) sends at once, with the
same short timeout, before it exits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import RedisError

from consentgate.banks.notices import REDIS_CHANNEL, FailureHandler, Listener, NoticeTarget

log = logging.getLogger(__name__)


class RedisSubscription:
    def __init__(self, client: redis.Redis, channel: str, confirm_s: float = 5.0) -> None:
        self._pubsub = client.pubsub()  # type: ignore[no-untyped-call]
        self._pubsub.subscribe(channel)
        # Subscribed once Redis confirms it: a notice published before then may
        # be missed, and the catch-up that follows (``Listener``) must not run
        # before the subscription is live.
        deadline = time.monotonic() + confirm_s
        while True:
            message = self._pubsub.get_message(timeout=max(deadline - time.monotonic(), 0))
            if message is not None and message.get("type") == "subscribe":
                return
            if time.monotonic() >= deadline:
                self._pubsub.close()
                raise TimeoutError("Redis did not confirm the subscription")

    def receive(self, timeout_s: float) -> Iterator[bytes | str]:
        message = self._pubsub.get_message(timeout=timeout_s)
        while message is not None:
            if message.get("type") == "message":
                yield message["data"]
            message = self._pubsub.get_message(timeout=0)

    def close(self) -> None:
        self._pubsub.close()


class RedisNotices:
    """Publishes and hears change notices on ``<prefix>bank-changes``."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "consentgate:",
        background: bool = True,
        timeout_s: float = 0.5,
    ) -> None:
        self.channel = prefix + REDIS_CHANNEL
        self.url = url
        self.background = background
        self.on_failure: FailureHandler | None = None
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._pending = 0
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._closed = threading.Event()
        self._sender: threading.Thread | None = None
        self._listener: Listener | None = None
        self._failing = False

    # -- publishing ---------------------------------------------------------------
    def publish(self, seq: int) -> None:
        if not self.background:
            self._send(seq)
            return
        with self._lock:
            self._pending = max(self._pending, seq)
            if self._sender is None and not self._closed.is_set():
                self._sender = threading.Thread(
                    target=self._send_loop, name="bank-notices-send", daemon=True
                )
                self._sender.start()
        self._wanted.set()

    def _send_loop(self) -> None:
        while not self._closed.is_set() or self._pending:
            if not self._wanted.wait(1.0):
                continue
            self._wanted.clear()
            with self._lock:
                seq, self._pending = self._pending, 0
            if seq:
                self._send(seq)

    def _send(self, seq: int) -> None:
        try:
            self._client.publish(self.channel, str(seq))
        except RedisError as exc:
            if not self._failing:
                log.warning(
                    "could not publish a bank change notice (%s); other workers will see "
                    "the change at their next poll",
                    type(exc).__name__,
                )
            self._failing = True
            if self.on_failure is not None:
                self.on_failure("publish")
        else:
            self._failing = False

    # -- listening ----------------------------------------------------------------
    @contextmanager
    def _subscribe(self) -> Iterator[RedisSubscription]:
        client = redis.Redis.from_url(
            self.url, socket_connect_timeout=2.0, socket_timeout=10.0, socket_keepalive=True
        )
        try:
            subscription = RedisSubscription(client, self.channel)
            try:
                yield subscription
            finally:
                subscription.close()
        finally:
            client.close()

    def listen(self, target: NoticeTarget) -> None:
        if self._listener is None:
            self._listener = Listener(
                "redis", self._subscribe, target, on_failure=lambda: self.on_failure
            ).start()

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.connected.is_set()

    def close(self) -> None:
        """Send what is pending (bounded by the timeout), then stop both threads."""
        self._closed.set()
        self._wanted.set()
        if self._sender is not None:
            self._sender.join(timeout=2)
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._client.close()
