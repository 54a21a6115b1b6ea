"""``/metrics`` shows how each worker's hash index follows bank changes, and failed notices."""

from __future__ import annotations

import re
import time
from pathlib import Path

from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running
from tests.api.server import free_port
from tests.banks.conftest import random_pdq


def _value(text: str, name: str) -> float:
    found = re.findall(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return sum(float(v) for v in found)


def _change_a_bank(api: Api, seed: int) -> dict[str, str]:
    banks = api.key(Scope.BANKS_WRITE)
    r = api.client.post("/v1/banks", json={"name": "victims", "kind": "ncii"}, headers=banks)
    assert r.status_code == 201, r.text
    entry = {"pdq": random_pdq(seed), "quality": 100, "retro": False}
    r = api.client.post("/v1/banks/victims/entries", json=entry, headers=banks)
    assert r.status_code == 201, r.text
    return api.key(Scope.REPORT)


def test_when_a_bank_changes_then_metrics_count_the_catch_up_and_its_lag(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url, index_refresh_s=60)) as api:  # no poll meanwhile
        report = _change_a_bank(api, 601)
        text = api.client.get("/metrics", headers=report).text
    assert _value(text, 'consentgate_bank_refreshes_total{trigger="write"}') >= 1
    for other in ("notice", "poll"):  # one worker, no carrier: only its own writes
        assert _value(text, f'consentgate_bank_refreshes_total{{trigger="{other}"}}') == 0
    assert 'consentgate_bank_refresh_lag_seconds_bucket{le="0.1",trigger=' in text
    lag = _value(text, "consentgate_bank_last_refresh_lag_seconds")
    assert 0 <= lag < 60


def test_when_redis_is_unreachable_then_bank_changes_commit_and_failed_notices_are_counted(
    tmp_path: Path,
) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'consentgate.db'}",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    )
    with running(settings) as api:
        report = _change_a_bank(api, 602)  # answered 201: the change committed
        assert api.services.banks.service.get_bank("victims").active_entries == 1
        deadline = time.monotonic() + 10
        while True:
            text = api.client.get("/metrics", headers=report).text
            sent = _value(text, 'consentgate_bank_notice_failures_total{stage="publish"}')
            heard = _value(text, 'consentgate_bank_notice_failures_total{stage="listen"}')
            if sent >= 1 and heard >= 1:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
