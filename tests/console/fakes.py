"""Cheap argon2id parameters and a clock tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from consentgate.service.passwords import Passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2id with the least work it allows: the same algorithm and checks, milliseconds."""


def cheap_passwords() -> Passwords:
    return Passwords(CHEAP)


class Clock:
    """``now`` until moved: ``clock.move(minutes=16)``."""

    def __init__(self, start: datetime = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)
