"""Two workers' bank services, built as ``serve`` builds them, over one SQLite file, one
Redis or one PostgreSQL store: flood counts add up across them, and each report is made once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from consentgate.banks.records import EntryStatus
from consentgate.banks.wiring import Banks, open_banks
from consentgate.settings import Settings
from tests.banks.conftest import near, random_pdq
from tests.conftest import scratch_database, unique_prefix


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Banks, Banks]]:
    """Flood counts in the SQLite file two workers share, in Redis (on a SQLite store),
    or in the PostgreSQL store."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            settings = Settings(database_url=f"sqlite:///{tmp_path / 'consentgate.db'}", workers=2)
        elif request.param == "redis":
            settings = Settings(
                database_url=f"sqlite:///{tmp_path / 'consentgate.db'}",
                redis_url=request.getfixturevalue("redis_url"),
                redis_prefix=unique_prefix(),
            )
        else:
            url = stack.enter_context(
                scratch_database(request.getfixturevalue("postgres_url"), "cg_t")
            )
            settings = Settings(database_url=url)
        first = open_banks(settings)
        stack.callback(first.close)
        second = open_banks(settings)  # its own store connection, as another process has
        stack.callback(second.close)
        yield first, second


def test_when_two_workers_share_an_ncii_entrys_matches_then_one_alert_for_their_total(
    workers: tuple[Banks, Banks],
) -> None:
    first = workers[0]
    first.service.create_bank("victims", "ncii", flood_max_matches=10, flood_window_s=3600)
    pdq = random_pdq(20)
    entry = first.service.add_entry("victims", pdq=pdq).entry
    for n in range(16):  # 8 each: neither worker alone passes the limit of 10
        found = workers[n % 2].matcher.match([pdq], quality=100, md5=None, client="attacker")
        assert [hit.entry for hit in found.matches] == [str(entry.id)]
    alerts = first.alerts.list()
    assert [(a.entry_id, a.bank_kind) for a in alerts] == [(entry.id, "ncii")]
    assert first.service.get_entry(entry.id).status is EntryStatus.ACTIVE


def test_when_two_workers_see_distinct_images_of_a_custom_entry_then_they_count_together(
    workers: tuple[Banks, Banks],
) -> None:
    first, second = workers
    first.service.create_bank("noisy", "custom", flood_max_matches=4, flood_window_s=3600)
    pdq = random_pdq(21)
    entry = first.service.add_entry("noisy", pdq=pdq).entry
    for seed in range(4):  # 2 distinct images each, each sent three times: 4, not over
        for _ in range(3):
            workers[seed % 2].matcher.match(
                [near(pdq, 20, seed=seed)], quality=100, md5=None, client=f"k{seed % 2}"
            )
    assert first.service.get_entry(entry.id).status is EntryStatus.ACTIVE
    second.matcher.match([near(pdq, 20, seed=4)], quality=100, md5=None, client="k1")
    stored = first.service.get_entry(entry.id)
    assert stored.status is EntryStatus.QUARANTINED
    assert stored.status_reason and "5 distinct images from 2 client(s)" in stored.status_reason
    first.matcher.refresh()
    assert first.matcher.match([pdq], quality=100, md5=None).matches == ()
