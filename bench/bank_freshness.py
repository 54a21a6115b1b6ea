"""How long a bank change takes to reach every worker: change notices vs polling only.

For each mode, one ``consentgate serve --workers 2`` (a fresh store, only the
hash matcher loaded) and one keep-alive connection to each worker (told apart
through /proc, ``tests.api.workers``). Each change goes through one worker's
API (alternately the first and the second): a new victim's entry is added, then
withdrawn. From the moment the change's answer arrives, both workers are asked
``POST /v1/match`` in turn until both agree; the propagation time is when the
last one did. Changes are spread at random over the poll cycle. The time of one
``/v1/match`` round trip is printed beside it, as the resolution: a miss
(``probe rtt``) and a hit (``hit rtt``; a match also counts towards flood
protection, a write to the shared flood log), so an add, seen through a hit,
reads later than a withdrawal, seen through a miss.

Modes, in one run, each with the default poll (``CONSENTGATE_INDEX_REFRESH_S``, 0.5 s):

- ``redis``: a SQLite store, notices by Redis pub/sub;
- ``postgresql``: a PostgreSQL store, notices by LISTEN/NOTIFY;
- ``poll``: the same PostgreSQL set-up with ``CONSENTGATE_BANK_NOTICES=off`` (the baseline).

    .venv/bin/python bench/bank_freshness.py                 # 40 changes per mode (about 2 minutes)
    .venv/bin/python bench/bank_freshness.py --changes 100 --modes postgresql,poll

Needs the PostgreSQL server (``CONSENTGATE_TEST_PG_URL``, by default
postgresql+psycopg://root@127.0.0.1:5432/test, whose user may create
databases) and Redis (``CONSENTGATE_REDIS_URL``, by default the local server).
Results are printed and written to ``bench/out/bank_freshness.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentgate.banks.index.codes import codes_to_hex, random_codes  # noqa: E402
from tests.api.server import cli, server_env, serving_process  # noqa: E402
from tests.api.workers import Pinned, converge, pin_workers  # noqa: E402
from tests.conftest import scratch_database  # noqa: E402

OUT = ROOT / "bench" / "out"
MODES = ("redis", "postgresql", "poll")
PG_ADMIN = os.environ.get(
    "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
REDIS = os.environ.get("CONSENTGATE_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def store_env(mode: str, stack: ExitStack) -> Iterator[dict[str, str]]:
    if mode == "redis":
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="cg-fresh-"))
        yield server_env(
            f"sqlite:///{Path(directory) / 'store.db'}",
            CONSENTGATE_REDIS_URL=REDIS,
            CONSENTGATE_REDIS_PREFIX=f"cg-bench-{uuid.uuid4().hex[:8]}:",
        )
        return
    url = stack.enter_context(scratch_database(PG_ADMIN, "cg_bench"))
    extra = {"CONSENTGATE_BANK_NOTICES": "off"} if mode == "poll" else {}
    yield server_env(url, **extra)


def make_key(env: dict[str, str]) -> str:
    made = cli("keys", "create", "--scope", "banks:write", "--rate-limit", "0", "--json", env=env)
    if made.returncode != 0:
        raise SystemExit(f"could not create a key: {made.stderr.strip()}")
    return str(json.loads(made.stdout)["key"])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_mode(mode: str, changes: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    hashes = codes_to_hex(random_codes(changes + 1, seed=seed))
    with ExitStack() as stack:
        env = stack.enter_context(store_env(mode, stack))
        done = cli("bank", "create", "victims", "--kind", "ncii", "--flood-max", "1000000", env=env)
        if done.returncode != 0:
            raise SystemExit(f"could not create the bank: {done.stderr.strip()}")
        headers = {"Authorization": f"Bearer {make_key(env)}"}
        url, proc = stack.enter_context(serving_process(env, "--workers", "2"))
        pins = list(pin_workers(proc.pid, int(url.rsplit(":", 1)[1]), 2, headers=headers).values())
        rtt = probe_rtt_ms(pins, hashes[0])
        added: list[float] = []
        withdrawn: list[float] = []
        entry_id = 0
        for n in range(changes):
            writer = pins[n % 2]
            pdq = hashes[n // 2 * 2]  # one hash per add/withdraw pair
            probe = {"pdq": [pdq], "quality": 100}
            time.sleep(rng.uniform(0, 0.5))  # land anywhere in the poll cycle
            _keep_alive(pins)
            if n % 2 == 0:
                body = {"pdq": pdq, "quality": 100, "retro": False}
                status, answer = writer.call("POST", "/v1/banks/victims/entries", body)
                since = time.perf_counter()
                assert status == 201, answer
                entry_id = answer["entry"]["id"]
                times = converge(pins, "/v1/match", probe, _matched, since=since, patience=30)
                added.append(max(times.values()) * 1000)
            else:
                path = f"/v1/entries/{entry_id}/withdraw"
                status, answer = writer.call("POST", path, {"reason": "withdrawn"})
                since = time.perf_counter()
                assert status == 200, answer
                times = converge(
                    pins, "/v1/match", probe, lambda a: not _matched(a), since=since, patience=30
                )
                withdrawn.append(max(times.values()) * 1000)
        hit = hit_rtt_ms(pins, hashes[-1])
    both = added + withdrawn
    return {
        "mode": mode,
        "changes": len(both),
        "p50_ms": round(statistics.median(both), 1),
        "p99_ms": round(quantile(both, 0.99), 1),
        "max_ms": round(max(both), 1),
        "add_p50_ms": round(statistics.median(added), 1),
        "withdraw_p50_ms": round(statistics.median(withdrawn), 1),
        "probe_rtt_p50_ms": round(rtt, 1),
        "hit_rtt_p50_ms": round(hit, 1),
    }


def probe_rtt_ms(pins: list[Pinned], pdq: str, rounds: int = 20) -> float:
    """One ``/v1/match`` round trip (the resolution of every time measured here)."""
    took = []
    for _ in range(rounds):
        for pin in pins:
            t0 = time.perf_counter()
            status, _ = pin.call("POST", "/v1/match", {"pdq": [pdq], "quality": 100})
            took.append((time.perf_counter() - t0) * 1000)
            assert status == 200
    return statistics.median(took)


def hit_rtt_ms(pins: list[Pinned], pdq: str) -> float:
    """A ``/v1/match`` round trip that finds an entry (added here, first)."""
    status, answer = pins[0].call(
        "POST", "/v1/banks/victims/entries", {"pdq": pdq, "quality": 100, "retro": False}
    )
    assert status == 201, answer
    probe = {"pdq": [pdq], "quality": 100}
    converge(pins, "/v1/match", probe, _matched, since=time.perf_counter(), patience=30)
    return probe_rtt_ms(pins, pdq)


def _matched(answer: dict[str, list[object]]) -> bool:
    return bool(answer["matches"])


def _keep_alive(pins: list[Pinned]) -> None:
    for pin in pins:
        status, _ = pin.call("GET", "/healthz")
        assert status == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--changes", type=int, default=40, help="changes per mode (even)")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES)
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - set(MODES)
    if unknown or args.changes < 2:
        parser.error(f"unknown modes {sorted(unknown)}" if unknown else "--changes must be >= 2")
    changes = args.changes - args.changes % 2
    rows = []
    for mode in modes:
        print(f"{mode}: {changes} changes through two workers ...", flush=True)
        rows.append(run_mode(mode, changes, args.seed))
    poll = next((r for r in rows if r["mode"] == "poll"), None)
    print()
    print(
        f"{'mode':<12}{'changes':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
        f"{'add p50':>10}{'withdraw p50':>14}{'probe rtt':>11}{'hit rtt':>9}{'p50 vs poll':>13}"
    )
    for r in rows:
        ratio = f"{r['p50_ms'] / poll['p50_ms']:.3f}x" if poll and poll["p50_ms"] else "-"
        print(
            f"{r['mode']:<12}{r['changes']:>8}{r['p50_ms']:>10}{r['p99_ms']:>10}{r['max_ms']:>10}"
            f"{r['add_p50_ms']:>10}{r['withdraw_p50_ms']:>14}{r['probe_rtt_p50_ms']:>11}{r['hit_rtt_p50_ms']:>9}{ratio:>13}"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "bank_freshness.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
