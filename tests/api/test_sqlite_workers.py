"""Several worker processes writing to one SQLite file queue on a file lock, none fails."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from consentgate.records import Decision, Mode, Reason, Verdict
from consentgate.service.decisions import DecisionStore
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from consentgate.store.service_tables import decisions


def _write(url: str, worker: int, count: int) -> None:
    store = DecisionStore(prepare_store(Settings(database_url=url), migrate=False))
    for i in range(count):
        store.record(
            Decision(
                id=f"{worker:02d}{i:030d}",
                mode=Mode.GENERATE,
                decision=Verdict.ALLOW,
                reasons=(Reason(rule="R0", verdict=Verdict.ALLOW, description="none"),),
                policy_id="default",
                policy_version="1",
            )
        )
    store.db.dispose()


def test_when_processes_write_to_one_sqlite_file_then_every_write_lands(sqlite_url: str) -> None:
    prepare_store(Settings(database_url=sqlite_url)).dispose()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write, args=(sqlite_url, w, 150)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    db = prepare_store(Settings(database_url=sqlite_url), migrate=False)
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 450
    db.dispose()
