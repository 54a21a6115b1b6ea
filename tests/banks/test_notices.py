"""Change notices: a bank change made by one worker reaches another worker's index at once.

Two workers' banks are built as ``serve`` builds them (``open_banks(start=True)``,
each with its own store connection) with a 30 s poll, so a change seen within
seconds can only have come by notice. The real servers: Redis (on a SQLite
store) and PostgreSQL (LISTEN/NOTIFY).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentgate.banks import repository as repo
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.notices import PG_CHANNEL, Listener, parse_seq
from consentgate.banks.records import NewEntry
from consentgate.banks.refresher import Refresher
from consentgate.banks.wiring import Banks, open_banks
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.api.server import free_port
from tests.banks.conftest import random_pdq
from tests.conftest import scratch_database, unique_prefix

LONG_POLL = 30.0  # longer than any wait here: only a notice explains a change seen sooner
PATIENCE = 10.0  # a timeout, not a measurement: the benchmark measures


def wait_for(condition: Callable[[], bool], what: str, patience: float = PATIENCE) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {patience} s"
        time.sleep(0.005)


def matches(banks: Banks, pdq: str) -> bool:
    return bool(banks.matcher.match([pdq], quality=100, md5=None).matches)


class Refreshes:
    """What woke a matcher each time it applied changes."""

    def __init__(self) -> None:
        self.triggers: list[str] = []
        self.lags: list[float] = []

    def __call__(self, trigger: str, applied: int, lag_s: float) -> None:
        self.triggers.append(trigger)
        self.lags.append(lag_s)


@contextmanager
def two_workers(settings: Settings, *, subscribed: bool = True) -> Iterator[tuple[Banks, Banks]]:
    with ExitStack() as stack:
        first = open_banks(settings, start=True)
        stack.callback(first.close)
        second = open_banks(settings, start=True)  # its own store connection, as a process
        stack.callback(second.close)
        for banks in (first, second):
            if subscribed and banks.notices.name != "none":
                wait_for(lambda b=banks: b.notices.listening, "subscribed")  # type: ignore[misc]
        yield first, second


def carrier_settings(request: pytest.FixtureRequest, tmp_path: Path, stack: ExitStack) -> Settings:
    if request.param == "redis":
        return Settings(
            database_url=f"sqlite:///{tmp_path / 'consentgate.db'}",
            redis_url=request.getfixturevalue("redis_url"),
            redis_prefix=unique_prefix(),
            index_refresh_s=LONG_POLL,
        )
    url = stack.enter_context(scratch_database(request.getfixturevalue("postgres_url"), "cg_t"))
    return Settings(database_url=url, index_refresh_s=LONG_POLL)


@pytest.fixture(
    params=[
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Banks, Banks]]:
    with ExitStack() as stack:
        settings = carrier_settings(request, tmp_path, stack)
        yield stack.enter_context(two_workers(settings))


def test_when_a_victims_entry_is_added_and_withdrawn_then_the_other_worker_follows_by_notice(
    workers: tuple[Banks, Banks],
) -> None:
    first, second = workers
    seen = Refreshes()
    second.matcher.on_refreshed = seen
    first.service.create_bank("victims", "ncii")
    pdq = random_pdq(401)
    entry = first.service.add_entry("victims", pdq=pdq).entry
    assert matches(first, pdq)  # the writer's own index, before its call returns
    wait_for(lambda: matches(second, pdq), "the new entry matching in the other worker")
    first.service.withdraw(entry.id)
    assert not matches(first, pdq)
    wait_for(lambda: not matches(second, pdq), "the withdrawal in the other worker")
    assert seen.triggers and set(seen.triggers) == {"notice"}  # never the 30 s poll
    assert all(0 <= lag < PATIENCE for lag in seen.lags)


def test_when_a_bank_is_changed_outside_the_bank_service_then_every_worker_hears_of_it(
    workers: tuple[Banks, Banks],
) -> None:
    """Stay-down writes entries in a case's own transaction, through the repository."""
    first, second = workers
    first.service.create_bank("takedown", "takedown")
    pdq = random_pdq(402)
    with first.db.write() as conn:
        bank = repo.get_bank(conn, "takedown")
        repo.add_entries(conn, bank, [NewEntry(pdq=pdq, pdq_quality=100, md5=None)])
    wait_for(lambda: matches(first, pdq), "the writer's own index")
    wait_for(lambda: matches(second, pdq), "the other worker's index")


def test_when_a_bank_is_disabled_then_the_other_worker_stops_matching_it(
    workers: tuple[Banks, Banks],
) -> None:
    first, second = workers
    first.service.create_bank("consent", "consent")
    pdq = random_pdq(403)
    first.service.add_entry("consent", pdq=pdq)
    wait_for(lambda: matches(second, pdq), "the new entry")
    first.service.update_bank("consent", enabled=False)
    wait_for(lambda: not matches(second, pdq), "the bank switched off")


@pytest.mark.postgres
def test_when_notices_are_off_then_only_the_poll_or_a_refresh_brings_the_change(
    postgres_url: str,
) -> None:
    """The control: without notices the other worker stays behind (poll 30 s)."""
    with scratch_database(postgres_url, "cg_t") as url:
        settings = Settings(database_url=url, index_refresh_s=LONG_POLL, bank_notices="off")
        with two_workers(settings) as (first, second):
            assert first.notices.name == second.notices.name == "none"
            first.service.create_bank("victims", "ncii")
            pdq = random_pdq(404)
            first.service.add_entry("victims", pdq=pdq)
            time.sleep(1.0)
            assert not matches(second, pdq)
            second.matcher.refresh()  # what the poll would do
            assert matches(second, pdq)


@pytest.mark.redis
def test_when_redis_is_unreachable_then_changes_commit_and_the_poll_carries_them(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'consentgate.db'}",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        index_refresh_s=0.2,
    )
    failures: list[str] = []
    with two_workers(settings, subscribed=False) as (first, second):
        for banks in (first, second):
            banks.notices.on_failure = failures.append
        first.service.create_bank("victims", "ncii")
        pdq = random_pdq(405)
        entry = first.service.add_entry("victims", pdq=pdq).entry
        assert first.service.get_entry(entry.id).id == entry.id  # committed
        wait_for(lambda: matches(second, pdq), "the poll's catch-up")
        wait_for(lambda: "publish" in failures, "the failed publish counted")
        wait_for(lambda: "listen" in failures, "the failed subscription counted")
        assert not first.notices.listening


@pytest.mark.postgres
def test_when_a_change_rolls_back_then_no_notify_is_sent_and_a_commit_sends_its_seq(
    postgres_url: str,
) -> None:
    with scratch_database(postgres_url, "cg_t") as url:
        banks = open_banks(Settings(database_url=url))
        cargs, params = banks.db.engine.dialect.create_connect_args(banks.db.engine.url)
        params.pop("context", None)
        try:
            with psycopg.connect(*cargs, **params, autocommit=True) as listener:
                listener.execute(f"LISTEN {PG_CHANNEL}")
                with pytest.raises(RuntimeError), banks.db.write() as conn:
                    repo.create_bank(conn, _bank_values("gone"))
                    raise RuntimeError("crash mid-write")
                assert [n.payload for n in listener.notifies(timeout=0.5)] == []
                banks.service.create_bank("kept", "ncii")
                with banks.db.read() as conn:
                    head = repo.max_seq(conn)
                heard = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
                assert heard == [str(head)]
        finally:
            banks.close()


def _bank_values(name: str) -> dict[str, object]:
    from consentgate.records import utc_now

    return {
        "name": name,
        "kind": "ncii",
        "threshold": 31,
        "enabled": True,
        "description": "",
        "flood_max_matches": None,
        "flood_window_s": 60,
        "created_at": utc_now(),
    }


def test_when_a_notice_is_not_ahead_of_the_index_then_the_matcher_is_not_woken(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    banks = open_banks(Settings(database_url=sqlite_url), db=db)
    steps: list[str] = []
    matcher = BankMatcher(db, poll_interval_s=LONG_POLL)
    matcher.step = steps.append  # type: ignore[method-assign]
    matcher.start()
    try:
        banks.service.create_bank("victims", "ncii")
        matcher.refresh()
        cursor = matcher.ensure_loaded().cursor
        matcher.notice(cursor)  # this worker has it already (e.g. its own change)
        time.sleep(0.2)
        assert steps == []
        matcher.notice(cursor + 1)
        wait_for(lambda: steps == ["notice"], "the wake")
    finally:
        matcher.close()
        banks.close()


def test_when_the_refresher_is_woken_or_not_then_each_catch_up_names_what_started_it() -> None:
    steps: list[str] = []
    refresher = Refresher(steps.append, poll_interval_s=LONG_POLL).start()
    try:
        refresher.wake("write")  # a commit in this process
        wait_for(lambda: steps == ["write"], "the write's catch-up")
        refresher.wake()  # a notice from another process
        wait_for(lambda: steps == ["write", "notice"], "the notice's catch-up")
    finally:
        refresher.stop()
    timed = Refresher(steps.append, poll_interval_s=0.01).start()
    try:
        wait_for(lambda: "poll" in steps, "the timer's catch-up")
    finally:
        timed.stop()


@pytest.mark.parametrize(
    ("payload", "seq"),
    [
        (b"42", 42),
        ("7", 7),
        (b" 9\n", 9),
        (b"", None),
        (b"-3", None),
        (b"1.5", None),
        (b"x" * 10, None),
        (b"9" * 40, None),  # longer than any seq: ignored, never parsed at length
        ("٣", None),  # a digit, but not an ASCII one
        (b"\xff\xfe", None),
    ],
)
def test_when_a_notice_payload_is_read_then_only_a_plain_seq_counts(
    payload: bytes | str, seq: int | None
) -> None:
    assert parse_seq(payload) == seq


@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_when_any_payload_arrives_then_it_is_ignored_or_read_as_exactly_its_digits(
    payload: bytes | str,
) -> None:
    """Anyone who can publish on the channel can send anything: at worst a wasted catch-up."""
    seq = parse_seq(payload)
    if seq is not None:
        text = payload.decode() if isinstance(payload, bytes) else payload
        assert seq >= 0
        assert str(seq) == text.strip().lstrip("0") or (seq == 0 and set(text.strip()) == {"0"})


class FakeSubscription:
    def __init__(self, payloads: list[bytes]) -> None:
        self.payloads = payloads

    def receive(self, timeout_s: float) -> Iterator[bytes]:
        if not self.payloads:
            time.sleep(min(timeout_s, 0.01))
        while self.payloads:
            yield self.payloads.pop(0)

    def close(self) -> None:
        return None


class Target:
    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.wakes = 0

    def notice(self, seq: int) -> None:
        self.seqs.append(seq)

    def wake(self) -> None:
        self.wakes += 1


def test_when_the_link_fails_then_the_listener_backs_off_reconnects_and_catches_up() -> None:
    attempts: list[int] = []
    failures: list[str] = []
    pauses: list[float] = []

    @contextmanager
    def connect() -> Iterator[FakeSubscription]:
        attempts.append(1)
        if len(attempts) <= 4:
            raise ConnectionError("refused")
        yield FakeSubscription([b"5", b"junk", b"7"])

    target = Target()
    listener = Listener(
        "fake",
        connect,
        target,
        on_failure=lambda: failures.append,
        first_backoff_s=0.1,
        max_backoff_s=0.3,
        wait_s=0.05,
        pause=pauses.append,
    ).start()
    try:
        wait_for(lambda: target.seqs == [5, 7], "the notices after reconnecting")
        assert listener.connected.is_set()
    finally:
        listener.stop()
    assert failures == ["listen"] * 4
    assert pauses == [0.1, 0.2, 0.3, 0.3]  # doubling, up to the most
    assert target.wakes == 1  # one catch-up after the subscription, for what was missed


def test_when_the_listener_is_stopped_then_its_thread_ends() -> None:
    @contextmanager
    def connect() -> Iterator[FakeSubscription]:
        yield FakeSubscription([])

    listener = Listener("fake", connect, Target(), wait_s=0.05).start()
    wait_for(listener.connected.is_set, "connected")
    listener.stop()
    assert not listener.connected.is_set()
    assert not any(t.name == "bank-notices-fake" for t in threading.enumerate())
