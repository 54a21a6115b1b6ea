"""The API with fake detectors on a real store (SQLite and PostgreSQL), as in tests/api."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_settings, running


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running(make_settings(database_url)) as api:
        yield api
