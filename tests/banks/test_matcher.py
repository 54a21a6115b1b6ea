"""The matcher stays current with changes made by other processes, without rebuilds."""

from __future__ import annotations

import time
from pathlib import Path

from consentgate.banks.index.mih import MultiIndexHash
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.service import BankService
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.banks.conftest import near, random_pdq


def _worker(db: Database, **kwargs: object) -> BankMatcher:
    """A second worker's matcher: its own index, fed only by the change log."""
    return BankMatcher(Database(db.url), flood_max_matches=None, **kwargs)  # type: ignore[arg-type]


def test_when_another_process_adds_and_withdraws_then_refresh_applies_it(
    service: BankService, db: Database
) -> None:
    worker = _worker(db)
    service.create_bank("victims", "ncii")
    pdq = random_pdq(301)
    worker.ensure_loaded()
    assert worker.match([pdq], quality=None, md5=None).matches == ()
    entry = service.add_entry("victims", pdq=pdq).entry
    assert worker.refresh() >= 1
    assert [m.entry for m in worker.match([pdq], quality=None, md5=None).matches] == [str(entry.id)]
    service.withdraw(entry.id)
    worker.refresh()
    assert worker.match([pdq], quality=None, md5=None).matches == ()


def test_when_polling_in_the_background_then_a_new_entry_becomes_matchable(
    service: BankService, db: Database
) -> None:
    worker = _worker(db, poll_interval_s=0.05).start()
    try:
        service.create_bank("victims", "ncii")
        pdq = random_pdq(302)
        service.add_entry("victims", pdq=pdq)
        deadline = time.monotonic() + 10
        while not worker.match([pdq], quality=None, md5=None).matches:
            assert time.monotonic() < deadline, "the background refresh never applied the add"
            time.sleep(0.02)
    finally:
        worker.close()


def test_when_snapshot_is_saved_then_a_new_worker_loads_it_and_catches_up(
    service: BankService, db: Database, tmp_path: Path
) -> None:
    service.create_bank("victims", "ncii")
    hashes = [random_pdq(1000 + i) for i in range(5000)]
    service.import_text("victims", "\n".join(hashes), fmt="plain", retro=False)
    assert service.matcher is not None
    service.matcher.save_snapshot(tmp_path / "snap")
    late = random_pdq(303)
    service.add_entry("victims", pdq=late)
    worker = _worker(db, snapshot_dir=tmp_path / "snap")
    worker.ensure_loaded()
    indexes = worker.ensure_loaded()
    assert isinstance(indexes.pdq.main.index, MultiIndexHash)
    assert indexes.pdq.recent_size == 1  # loaded 5000 from the snapshot, 1 from the log
    assert worker.size == (5001, 0)
    assert worker.match([near(hashes[1234], 31)], quality=None, md5=None).matches
    assert worker.match([late], quality=None, md5=None).matches


def test_when_recent_part_is_compacted_then_answers_do_not_change(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    assert service.matcher is not None
    hashes = [random_pdq(2000 + i) for i in range(300)]
    for h in hashes[:3]:
        service.add_entry("victims", pdq=h, retro=False)
    service.import_text("victims", "\n".join(hashes[3:]), fmt="plain", retro=False)
    first = service.list_entries("victims", limit=1)[0]
    service.withdraw(first.id)
    before = [service.match(pdq=near(h, 30)).matches for h in hashes]
    service.matcher.compact()
    assert service.matcher.ensure_loaded().pdq.recent_size == 0
    assert [service.match(pdq=near(h, 30)).matches for h in hashes] == before
    assert before[0] == () and all(before[1:])


def test_when_snapshot_comes_from_another_store_then_it_is_ignored(
    service: BankService, db: Database, tmp_path: Path, sqlite_url: str
) -> None:
    other_db = Database(sqlite_url.replace("consentgate.db", "other.db"))
    upgrade(other_db)
    other = BankService(other_db, matcher=BankMatcher(other_db, flood_max_matches=None))
    other.create_bank("elsewhere", "ncii")
    foreign = random_pdq(304)
    other.add_entry("elsewhere", pdq=foreign)
    assert other.matcher is not None
    other.matcher.save_snapshot(tmp_path / "snap")
    service.create_bank("victims", "ncii")
    worker = _worker(db, snapshot_dir=tmp_path / "snap")
    assert worker.match([foreign], quality=None, md5=None).matches == ()
    other_db.dispose()
