"""Change notices over PostgreSQL LISTEN/NOTIFY (a PostgreSQL store without Redis).

Nothing to publish here: ``banks.repository.log_changes`` issues the NOTIFY in
the change's own transaction, and PostgreSQL delivers it when, and only if,
that transaction commits (a rolled-back change sends nothing). Each worker
keeps one extra connection, outside the pool, that LISTENs; a lost one is
reopened with backoff while the poll carries on.

One case where a NOTIFY can fail a commit: PostgreSQL's notice queue (8 GB) is
full, which needs a session that LISTENs and never reads for a long time.
These listeners read continuously; ``pg_notification_queue_usage()`` shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from consentgate.banks.notices import PG_CHANNEL, FailureHandler, Listener, NoticeTarget
from consentgate.store.database import Database


class PostgresSubscription:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn
        conn.execute(f"LISTEN {PG_CHANNEL}")  # committed at once: autocommit

    def receive(self, timeout_s: float) -> Iterator[str]:
        for notify in self._conn.notifies(timeout=timeout_s):
            yield notify.payload

    def close(self) -> None:
        self._conn.close()


class PostgresNotices:
    """Hears the NOTIFYs every bank change on this store sends."""

    name = "postgresql"

    def __init__(self, db: Database, *, connect_timeout_s: int = 5) -> None:
        cargs, params = db.engine.dialect.create_connect_args(db.engine.url)
        params.pop("context", None)  # SQLAlchemy's type adapters: not needed to listen
        self._args: list[Any] = list(cargs)
        self._params: dict[str, Any] = {
            **params,
            "autocommit": True,
            "connect_timeout": connect_timeout_s,
            "keepalives": 1,  # a vanished server is noticed, not waited on forever
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        self.on_failure: FailureHandler | None = None
        self._listener: Listener | None = None

    def publish(self, seq: int) -> None:
        return None  # sent by the change's own transaction

    @contextmanager
    def _subscribe(self) -> Iterator[PostgresSubscription]:
        conn = psycopg.connect(*self._args, **self._params)
        try:
            yield PostgresSubscription(conn)
        finally:
            conn.close()

    def listen(self, target: NoticeTarget) -> None:
        if self._listener is None:
            self._listener = Listener(
                "postgresql", self._subscribe, target, on_failure=lambda: self.on_failure
            ).start()

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.connected.is_set()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
