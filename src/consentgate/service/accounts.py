"""Users as the console's admins see them: passwords set, locks lifted, accounts listed.

Every change is a ``user_changed`` event naming who made it (``data.change``:
``added``, ``disabled``, ``password_set``, ``unlocked``). A new password ends
the user's sessions (whoever knew the old one is logged out) and lifts a
lock-out: the admin who set it vouches for the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from consentgate.cases.records import EventKind
from consentgate.people import Actor, Role, User
from consentgate.records import Record
from consentgate.service.logins import Logins
from consentgate.service.passwords import check_new_password
from consentgate.service.users import OPERATOR, UserStore, aware, end_sessions, to_user, user_event
from consentgate.store.users_tables import users


class Account(Record):
    """A user with what the console knows of their log-in."""

    user: User
    has_password: bool
    failed_logins: int
    locked_until: datetime | None = None  # while locked; ``datetime.max`` until unlocked

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class Accounts:
    """Adds users with passwords, sets passwords, unlocks and lists accounts."""

    def __init__(self, logins: Logins) -> None:
        self.logins = logins
        self.users = UserStore(logins.db)

    def add(
        self, name: str, role: Role, password: str | None = None, *, actor: Actor = OPERATOR
    ) -> User:
        """A new user, with a console password when one is given (BadInput if it is weak)."""
        hashed = None
        if password is not None:
            hashed = self.logins.passwords.hash(check_new_password(password, name))
        return self.users.add(name, role, actor=actor, password_hash=hashed)

    def set_password(self, name: str, password: str, *, actor: Actor = OPERATOR) -> User:
        """A new password for ``name``: their sessions end and a lock-out is lifted."""
        user = self.users.get_by_name(name)
        hashed = self.logins.passwords.hash(check_new_password(password, user.name))
        with self.logins.db.write() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user.id)
                .values(password_hash=hashed, failed_logins=0, locked_at=None)
            )
            end_sessions(conn, user.id)
            user_event(
                conn, EventKind.USER_CHANGED, actor=actor, subject=user, change="password_set"
            )
        return user

    def unlock(self, name: str, *, actor: Actor = OPERATOR) -> User:
        """Lift a lock-out and forget the wrong passwords counted so far."""
        user = self.users.get_by_name(name)
        with self.logins.db.write() as conn:
            conn.execute(
                update(users).where(users.c.id == user.id).values(failed_logins=0, locked_at=None)
            )
            user_event(conn, EventKind.USER_CHANGED, actor=actor, subject=user, change="unlocked")
        return user

    def disable(self, name: str, *, actor: Actor = OPERATOR) -> User:
        """Disable a user: their keys stop working and their sessions end."""
        return self.users.disable(name, actor=actor)

    def list(self) -> list[Account]:
        query = select(users).order_by(users.c.created, users.c.id)
        with self.logins.db.read() as conn:
            rows = conn.execute(query).all()
        found = []
        for row in rows:
            until = self.logins.lockout.until(aware(row.locked_at))
            live = until is not None and self.logins.clock() < until
            found.append(
                Account(
                    user=to_user(row._mapping),
                    has_password=row.password_hash is not None,
                    failed_logins=0 if until is not None and not live else row.failed_logins,
                    locked_until=until if live else None,
                )
            )
        return found

    def get(self, name: str) -> Account:
        user = self.users.get_by_name(name)
        return next(a for a in self.list() if a.user.id == user.id)
