"""API keys: created once, stored hashed, checked in constant time, revoked not deleted.

A key is ``cg_`` plus 32 random bytes (URL-safe base64). Only its SHA-256 is
stored: with that much entropy a fast hash is enough (no password stretching is
needed), and a lookup by hash needs no scan. The comparison after the lookup
uses ``hmac.compare_digest`` so the check does not leak timing.

A key may act for one user (``--user``): then every case, appeal, evidence and
bank change it makes names that user, its scopes may not exceed what the user's
role allows (``ROLE_SCOPES``), and it stops working when the user is disabled.
A key bound to nobody (a service's screening key) acts as ``key:<id>``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import Field, TypeAdapter
from sqlalchemy import Select, select, update

from consentgate.errors import BadInput, NotFound
from consentgate.fields import Line, checked
from consentgate.people import Role, User
from consentgate.records import Record, utc_now
from consentgate.service.users import UserStore, to_user
from consentgate.store.database import Database
from consentgate.store.service_tables import api_keys
from consentgate.store.users_tables import users as users_table

KEY_PREFIX = "cg_"


class Scope(StrEnum):
    """What a key may do. ``admin`` implies every other scope."""

    SCREEN = "screen"
    BANKS_WRITE = "banks:write"
    MODERATE = "moderate"
    ADMIN = "admin"
    REPORT = "report"


class ApiKey(Record):
    """A stored key, without its secret."""

    id: str
    name: str
    prefix: str = Field(description="first characters of the key, to recognise it")
    scopes: tuple[Scope, ...]
    rate_limit_per_s: float | None = None
    created: datetime
    revoked: datetime | None = None
    user: User | None = Field(None, description="the person the key acts for")

    @property
    def active(self) -> bool:
        return self.revoked is None and (self.user is None or self.user.active)

    @property
    def actor(self) -> User | str:
        """Who this key's changes name: its user, else ``key:<id>``."""
        return self.user if self.user is not None else f"key:{self.id}"

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


ROLE_SCOPES = {
    Role.MODERATOR: frozenset({Scope.SCREEN, Scope.MODERATE, Scope.BANKS_WRITE}),
    Role.APPEALS: frozenset({Scope.SCREEN, Scope.MODERATE}),
    Role.COMPLIANCE: frozenset({Scope.SCREEN, Scope.REPORT}),
    Role.ADMIN: frozenset(Scope),
}
"""The most a key bound to a user of each role may hold."""


class NewKey(Record):
    """A freshly created key: the only time the secret exists outside the caller."""

    id: str
    key: str
    scopes: tuple[Scope, ...]
    user: str | None = Field(None, description="the name of the user it acts for")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _to_key(row: object) -> ApiKey:
    m = row._mapping  # type: ignore[attr-defined]
    user = None
    if m["user_id"] is not None:
        user = to_user({c.name: m[f"user__{c.name}"] for c in users_table.c})
    return ApiKey(
        id=m["id"],
        name=m["name"],
        prefix=m["prefix"],
        scopes=tuple(Scope(s) for s in m["scopes"]),
        rate_limit_per_s=m["rate_limit_per_s"],
        created=_aware(m["created"]),
        revoked=_aware(m["revoked"]),
        user=user,
    )


def _with_users() -> Select[tuple[object, ...]]:
    """Keys with their user's columns (keys bound to nobody have nulls there)."""
    labelled = (c.label(f"user__{c.name}") for c in users_table.c)
    return select(api_keys, *labelled).select_from(
        api_keys.outerjoin(users_table, api_keys.c.user_id == users_table.c.id)
    )


KEY_NAME: TypeAdapter[str] = TypeAdapter(Line)
"""A key's name: one line the store can keep (it is shown in key listings)."""


class KeyStore:
    """Create, list, revoke and authenticate API keys."""

    def __init__(self, db: Database, users: UserStore | None = None) -> None:
        self.db = db
        self.users = users or UserStore(db)

    def create(
        self,
        scopes: list[Scope],
        *,
        name: str = "",
        rate_limit_per_s: float | None = None,
        user: str | None = None,
    ) -> NewKey:
        """A new key; with ``user``, one that acts for that user within their role."""
        if not scopes:
            raise BadInput("a key needs at least one scope", field="scope")
        if rate_limit_per_s is not None and rate_limit_per_s < 0:
            raise BadInput("the rate limit cannot be negative", field="rate_limit")
        if len(name) > 200:
            raise BadInput("the name is longer than 200 characters", field="name")
        name = checked(KEY_NAME, name, "name")
        owner = self.users.acting(user, field="user") if user is not None else None
        if owner is not None:
            beyond = sorted(s.value for s in scopes if s not in ROLE_SCOPES[owner.role])
            if beyond:
                raise BadInput(
                    f"the {owner.role.value} role does not allow the {', '.join(beyond)} scope(s)",
                    field="scope",
                )
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = uuid.uuid4().hex[:16]
        unique = tuple(dict.fromkeys(scopes))
        with self.db.write() as conn:
            conn.execute(
                api_keys.insert().values(
                    id=key_id,
                    name=name or key_id,
                    prefix=raw[:10],
                    key_hash=hash_key(raw),
                    scopes=[s.value for s in unique],
                    rate_limit_per_s=rate_limit_per_s,
                    created=utc_now(),
                    revoked=None,
                    user_id=owner.id if owner is not None else None,
                )
            )
        return NewKey(
            id=key_id, key=raw, scopes=unique, user=owner.name if owner is not None else None
        )

    def list(self, *, include_revoked: bool = True) -> list[ApiKey]:
        query = _with_users().order_by(api_keys.c.created, api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked.is_(None))
        with self.db.read() as conn:
            return [_to_key(row) for row in conn.execute(query)]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (idempotent). Its decisions keep naming it."""
        with self.db.write() as conn:
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked.is_(None))
                .values(revoked=utc_now())
            )
            row = conn.execute(_with_users().where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFound(f"no API key with id {key_id!r}")
        return _to_key(row)

    def authenticate(self, raw: str) -> ApiKey | None:
        """The active key whose secret is ``raw`` (its user, if any, active too), or None."""
        if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
            return None
        digest = hash_key(raw)
        with self.db.read() as conn:
            row = conn.execute(_with_users().where(api_keys.c.key_hash == digest)).first()
        if row is None or not hmac.compare_digest(row._mapping["key_hash"], digest):
            return None
        key = _to_key(row)
        return key if key.active else None
