"""Tables of the HTTP service: API keys and recorded decisions.

Why these columns: an API key is stored only as the SHA-256 of a high-entropy
random secret (a leaked table does not leak keys), with its scopes and a
revocation time instead of a delete, so old decisions still name their client.
A key may act for one user (``user_id``): every case event it causes names them.
A decision row is written in one transaction with the full decision record as
JSON, so a worker killed mid-request leaves either the whole row or nothing.
Images are never stored: only their hashes. The prompt is stored only when the
``store_prompts`` setting allows it for that verdict. A screen by an API key that
gives a request id is recorded once per key and id (a unique index): a retry
after a crash reads the first decision back instead of making a second one.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)

from consentgate.store import users_tables  # noqa: F401  (api_keys.user_id refers to it)
from consentgate.store.schema import metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False, doc="first characters, to recognise a key"),
    Column("key_hash", String(64), nullable=False, unique=True, doc="sha256 hex of the key"),
    Column("scopes", JSON, nullable=False),
    Column("rate_limit_per_s", Float, nullable=True, doc="overrides the service default"),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("revoked", DateTime(timezone=True), nullable=True),
    Column(
        "user_id",
        String(32),
        ForeignKey("users.id"),
        nullable=True,
        doc="the person the key acts for; null for a service key",
    ),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("key_id", String(32), nullable=True, doc="the API key that asked; null for the CLI"),
    Column("request_id", String(200), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("rules", JSON, nullable=False, doc="ids of the rules that fired"),
    Column("escalate", Boolean, nullable=False),
    Column("policy_id", String(100), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("image_hashes", JSON, nullable=False, doc="hashes of the screened images"),
    Column("prompt", Text, nullable=True, doc="kept only when store_prompts allows"),
    Column("record", JSON, nullable=False, doc="the decision record as returned"),
    Column("idempotency_key", String(200), nullable=True, doc="the request id, for a keyed screen"),
    Column("request_sha256", String(64), nullable=True, doc="fingerprint of the screened request"),
    Index("ix_decisions_created", "created"),
    Index("ix_decisions_key_id_created", "key_id", "created"),
    Index("ix_decisions_verdict_created", "verdict", "created"),
    Index("uq_decisions_key_id_idempotency_key", "key_id", "idempotency_key", unique=True),
)
