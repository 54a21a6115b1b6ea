"""Replays of keyed requests: a retry with the same ``Idempotency-Key`` gets the first answer.

Why a reference and not the answer: a notice's receipt holds its tracking code,
the notifier's only credential. The row keeps what the answer is rebuilt from
(the notice or case id, and the status sent), never the receipt itself, so no
second copy of a credential exists; ``key_hash`` is SHA-256 of the route, what
the key is scoped to on it and the key (never the key in clear), and
``body_hash`` SHA-256 of the request as validated. Rows are forgotten at
``expires`` (``consentgate.cases.replays.REPLAY_LIFETIME``).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, PrimaryKeyConstraint, SmallInteger, String, Table

from consentgate.store.schema import metadata

TS = DateTime(timezone=True)

request_replays = Table(
    "request_replays",
    metadata,
    Column("scope", String(40), nullable=False, doc="the route: notices, notice_appeal, ..."),
    Column("key_hash", String(64), nullable=False, doc="SHA-256 of scope, its owner and key"),
    Column("body_hash", String(64), nullable=False, doc="SHA-256 of the validated request"),
    Column("status", SmallInteger, nullable=False, doc="the HTTP status first answered"),
    Column("result_id", String(32), nullable=False, doc="the notice or case answered about"),
    Column("created", TS, nullable=False),
    Column("expires", TS, nullable=False, index=True),
    PrimaryKeyConstraint("scope", "key_hash", name="pk_request_replays"),
)
