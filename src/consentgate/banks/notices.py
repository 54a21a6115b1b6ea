"""Change notices: how a worker hears at once that another changed a bank.

Why: each worker tails the store's change log (``bank_changes``) by polling,
every ``CONSENTGATE_INDEX_REFRESH_S``; a withdrawn victim's entry then kept
matching in the other workers for up to that long. A notice says "the change
log reached ``seq``"; a worker behind that wakes its matcher, which catches up
from the log as a poll would. So a notice carries no data to trust or lose:
the log stays the one source of truth, a duplicate costs one cheap read, and a
lost notice (a broker down, a dropped connection) is caught by the next poll,
which stays on in every case.

Carriers: Redis pub/sub when ``CONSENTGATE_REDIS_URL`` is set (the writer
publishes after its commit, ``notices_redis``); else, on PostgreSQL,
LISTEN/NOTIFY (the NOTIFY is part of the change's own transaction, so it is
sent exactly when the change commits, ``notices_postgres``); else (SQLite, one
host) none, and polling alone.

Listening runs in one daemon thread per process that reconnects with
backoff; nothing here runs on a request's path except handing a number to a
sender thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

log = logging.getLogger(__name__)

TOPIC = "bank_changes"
"""The commit-note topic (``store.database.note_for_commit``): the change log's newest seq."""
PG_CHANNEL = "consentgate_bank_changes"
"""The PostgreSQL NOTIFY channel (one per database)."""
REDIS_CHANNEL = "bank-changes"
"""The Redis channel, under ``CONSENTGATE_REDIS_PREFIX``."""
MAX_PAYLOAD = 32

FailureHandler = Callable[[str], object]
"""Told ``"publish"`` or ``"listen"`` when a notice could not be sent or heard."""


def parse_seq(payload: bytes | str) -> int | None:
    """The change-log seq in a notice; None for anything else (ignored, never fatal)."""
    text = payload.decode("ascii", "replace") if isinstance(payload, bytes) else payload
    text = text.strip()
    if not text or len(text) > MAX_PAYLOAD or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


class NoticeTarget(Protocol):
    """What hears notices: the matcher (``BankMatcher.notice`` and ``wake``)."""

    def notice(self, seq: int) -> None:
        """The change log reached ``seq``."""

    def wake(self) -> None:
        """Catch up now (after a reconnect, notices may have been missed)."""


class Subscription(Protocol):
    """One live connection to a carrier, subscribed."""

    def receive(self, timeout_s: float) -> Iterator[bytes | str]:
        """Payloads arriving within ``timeout_s`` (maybe none); raises when the link is lost."""

    def close(self) -> None: ...


class Notices(Protocol):
    """A carrier of change notices between the processes sharing one store."""

    name: str
    on_failure: FailureHandler | None

    @property
    def listening(self) -> bool:
        """Subscribed now (a notice sent now reaches this process)."""

    def publish(self, seq: int) -> None:
        """After a commit that moved the change log to ``seq``; never blocks, never raises."""

    def listen(self, target: NoticeTarget) -> None:
        """Start the listening thread (once per process)."""

    def close(self) -> None: ...


class NoNotices:
    """No carrier (SQLite on one host, or ``CONSENTGATE_BANK_NOTICES=off``): polling alone."""

    name = "none"

    def __init__(self) -> None:
        self.on_failure: FailureHandler | None = None

    @property
    def listening(self) -> bool:
        return False

    def publish(self, seq: int) -> None:
        return None

    def listen(self, target: NoticeTarget) -> None:
        return None

    def close(self) -> None:
        return None


class Listener:
    """The listening thread: subscribe, hand each seq to the target, reconnect with backoff.

    After every (re)subscription the target is woken once, since notices sent
    while the link was down are gone. Backoff doubles from ``first_backoff_s``
    to ``max_backoff_s``; one warning per outage, one line when it ends.
    """

    def __init__(
        self,
        name: str,
        connect: Callable[[], AbstractContextManager[Subscription]],
        target: NoticeTarget,
        *,
        on_failure: Callable[[], FailureHandler | None] = lambda: None,
        first_backoff_s: float = 0.1,
        max_backoff_s: float = 5.0,
        wait_s: float = 0.5,
        pause: Callable[[float], object] | None = None,
    ) -> None:
        self.name = name
        self._connect = connect
        self._target = target
        self._on_failure = on_failure
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self.wait_s = wait_s
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._pause = pause or self._stop.wait  # between tries; stopping cuts it short
        self._thread = threading.Thread(target=self._run, name=f"bank-notices-{name}", daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.wait_s + 5)

    def _run(self) -> None:
        backoff = self.first_backoff_s
        failing = False
        while not self._stop.is_set():
            try:
                with self._connect() as subscription:
                    self.connected.set()
                    if failing:
                        log.warning("bank change notices (%s): listening again", self.name)
                    failing, backoff = False, self.first_backoff_s
                    self._target.wake()
                    self._pump(subscription)
            except Exception as exc:  # any lost link: back off, reconnect, poll meanwhile
                self.connected.clear()
                if not failing:
                    log.warning(
                        "bank change notices (%s) lost (%s); reconnecting, polling meanwhile",
                        self.name,
                        type(exc).__name__,
                    )
                failing = True
                handler = self._on_failure()
                if handler is not None:
                    handler("listen")
                self._pause(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
        self.connected.clear()

    def _pump(self, subscription: Subscription) -> None:
        while not self._stop.is_set():
            for payload in subscription.receive(self.wait_s):
                seq = parse_seq(payload)
                if seq is not None:
                    self._target.notice(seq)
