"""A migrated store and a bank service per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from consentgate.banks.index.codes import codes_to_hex, flip_bits, hex_to_codes, random_codes
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.service import BankService
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def service(db: Database) -> Iterator[BankService]:
    matcher = BankMatcher(db, flood_max_matches=None)
    svc = BankService(db, matcher=matcher)
    matcher.on_flood = svc.quarantine
    yield svc
    matcher.close()


def random_pdq(seed: int) -> str:
    return codes_to_hex(random_codes(1, seed=seed))[0]


def near(pdq: str, bits: int, seed: int = 0) -> str:
    """A hash exactly ``bits`` away from ``pdq``."""
    code = hex_to_codes([pdq])[0]
    return codes_to_hex(flip_bits(code, bits, np.random.default_rng(seed)).reshape(1, 4))[0]
