"""The users table: add, list, look up and disable the people who act on cases.

Why a store of its own: who acted must come from authentication, never from a
name the caller types, so every shell resolves a person here first (an API key
bound to a user, or a CLI ``--actor`` that must name an active user). Names are
unique after ``people.name_key``; a user is disabled, never deleted or renamed.

Every change to a user is a ``user_changed`` event of the audit chain, in the
same transaction: its ``actor`` is who made it (a console admin, or
``operator`` for the command line) with their ``data.user_id``, and
``data.subject_id`` names the user changed. Disabling a user ends their console
sessions in that transaction too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from consentgate.audit import chain
from consentgate.cases.records import EventKind
from consentgate.errors import BadInput, Conflict, NotFound
from consentgate.fields import Line, checked
from consentgate.people import RESERVED_NAMES, Actor, Role, User, actor_name, name_key
from consentgate.records import utc_now
from consentgate.store.database import Database
from consentgate.store.users_tables import KEY_MAX, NAME_MAX, console_sessions, users

OPERATOR = "operator"
"""Who changes users from the command line (whoever may run it on the server)."""

USER_NAME: TypeAdapter[str] = TypeAdapter(Line)


def aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def to_user(m: Mapping[Any, Any]) -> User:
    """A ``User`` from a row mapping of the users table."""
    return User(
        id=m["id"],
        name=m["name"],
        role=Role(m["role"]),
        created=aware(m["created"]),
        disabled=aware(m["disabled"]),
    )


def checked_name(name: str) -> tuple[str, str]:
    """``name`` trimmed, and its key; BadInput (field ``name``) when it cannot be a user's."""
    name = checked(USER_NAME, name, "name").strip()
    key = name_key(name)
    if not key:
        raise BadInput("a user needs a name", field="name")
    if len(name) > NAME_MAX or len(key) > KEY_MAX:
        raise BadInput(f"the name is longer than {NAME_MAX} characters", field="name")
    if ":" in key or key in RESERVED_NAMES:
        raise BadInput(f"{name!r} is reserved for actors that are not people", field="name")
    return name, key


def user_event(
    conn: Connection,
    kind: EventKind,
    *,
    actor: Actor,
    subject: User,
    change: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """One audit event about ``subject``, made by ``actor`` (the one shape every writer uses)."""
    details: dict[str, Any] = {"subject_id": subject.id, "subject": subject.name}
    if change is not None:
        details["change"] = change
    if isinstance(actor, User):
        details["user_id"] = actor.id
    chain.append(
        conn, at=utc_now(), actor=actor_name(actor), kind=kind, data=details | (data or {})
    )


def end_sessions(conn: Connection, user_id: str) -> None:
    """End every console session of one user (disabled, or a new password)."""
    conn.execute(delete(console_sessions).where(console_sessions.c.user_id == user_id))


class UserStore:
    """Add, list, find and disable users."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, name: str, role: Role, *, actor: Actor = OPERATOR, password_hash: str | None = None
    ) -> User:
        """A new user; Conflict when the name (after normalisation) is taken.

        ``password_hash`` (from ``Passwords.hash``) lets them log in to the console.
        """
        name, key = checked_name(name)
        user = User(id=uuid.uuid4().hex[:16], name=name, role=Role(role), created=utc_now())
        taken = Conflict(f"a user named {name!r} (or the same name in another form) exists")
        try:
            with self.db.write() as conn:
                if conn.execute(select(users.c.id).where(users.c.name_key == key)).first():
                    raise taken
                conn.execute(
                    users.insert().values(
                        id=user.id, name=name, name_key=key, role=user.role.value,
                        created=user.created, disabled=None, password_hash=password_hash,
                    )
                )  # fmt: skip
                user_event(
                    conn, EventKind.USER_CHANGED, actor=actor, subject=user, change="added",
                    data={"role": user.role.value, "password": password_hash is not None},
                )  # fmt: skip
        except IntegrityError:  # added by someone else between our check and our insert
            raise taken from None
        return user

    def list(self, *, include_disabled: bool = True) -> list[User]:
        query = select(users).order_by(users.c.created, users.c.id)
        if not include_disabled:
            query = query.where(users.c.disabled.is_(None))
        with self.db.read() as conn:
            return [to_user(row._mapping) for row in conn.execute(query)]

    def get_by_name(self, name: str) -> User:
        """The user called ``name`` in any case, width or spacing; NotFound otherwise."""
        key = name_key(name)
        with self.db.read() as conn:
            row = conn.execute(select(users).where(users.c.name_key == key)).first()
        if row is None:
            raise NotFound(f"no user named {name!r}")
        return to_user(row._mapping)

    def acting(self, name: str, field: str = "actor") -> User:
        """The active user a command names as its actor; BadInput (exit 2) otherwise."""
        try:
            user = self.get_by_name(name)
        except NotFound:
            raise BadInput(
                f"no user named {name!r}: add one with 'consentgate users add'", field=field
            ) from None
        if not user.active:
            raise BadInput(f"user {user.name!r} is disabled", field=field)
        return user

    def disable(self, name: str, *, actor: Actor = OPERATOR) -> User:
        """Disable a user (idempotent): their keys and sessions stop working; events stay."""
        user = self.get_by_name(name)
        with self.db.write() as conn:
            done = conn.execute(
                update(users)
                .where(users.c.id == user.id, users.c.disabled.is_(None))
                .values(disabled=utc_now())
            )
            end_sessions(conn, user.id)
            if done.rowcount:
                user_event(
                    conn, EventKind.USER_CHANGED, actor=actor, subject=user, change="disabled"
                )
            row = conn.execute(select(users).where(users.c.id == user.id)).one()
        return to_user(row._mapping)
