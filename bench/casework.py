"""Casework speed: notices accepted per second, notice-to-webhook latency, audit verification.

Each figure is printed beside a baseline measured in the same run on the same store:
  - notices/s through NoticeService.submit (validate, one case per item, audit chain)
    vs plain INSERTs of the same rows into the notices table (the store's floor);
  - from a TAKE IT DOWN notice to its signed removal webhook arriving at the platform
    (submit, a reviewer's decision at once, the worker's delivery), p50 and p99,
    vs the webhook POST alone through the same transport;
  - verifying 10,000 chained events vs hashing the same canonical bytes in memory.

    python bench/casework.py [--notices 300] [--latency 100] [--events 10000]
                             [--database-url sqlite:///...]

Writes bench/out/casework.json. SQLite in a temporary folder by default.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from consentgate.audit import chain
from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import Action, EventKind
from consentgate.cases.wiring import build_cases
from consentgate.cases.worker import ActionWorker
from consentgate.settings import Settings
from consentgate.store.cases_tables import notices
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

OUT = Path(__file__).resolve().parent / "out"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notices" / "take_it_down.json"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def notices_per_second(service: NoticeService, db: Database, count: int) -> dict[str, float]:
    raw = EXAMPLE.read_text()
    started = time.perf_counter()
    for _ in range(count):
        service.submit(parse_notice(raw))
    ours = count / (time.perf_counter() - started)
    data = json.loads(raw)
    started = time.perf_counter()
    for _ in range(count):
        with db.write() as conn:
            conn.execute(
                insert(notices).values(
                    id=uuid.uuid4().hex,
                    tracking_code=uuid.uuid4().hex,
                    kind="take_it_down",
                    received_at=datetime.now(UTC),
                    data=data,
                )
            )
    floor = count / (time.perf_counter() - started)
    return {"notices_per_s": ours, "plain_inserts_per_s": floor}


def notice_to_webhook(db: Database, settings: Settings, count: int) -> dict[str, float]:
    arrived: list[float] = []

    def platform(_request: httpx.Request) -> httpx.Response:
        arrived.append(time.perf_counter())
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(platform))
    system = build_cases(db, settings)
    intake = NoticeService(db, system.cases)
    worker = ActionWorker(db, settings, client, cases=system.cases)
    raw = EXAMPLE.read_text()
    latencies: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        receipt = intake.submit(parse_notice(raw))
        for case_id in receipt.cases:
            system.cases.decide(case_id, Action.REMOVE, reason="intimate image", actor="r1")
        while worker.run_once():
            pass
        latencies.append((arrived[-1] - started) * 1000)
    posts: list[float] = []
    body = json.dumps({"case": "x", "action": "remove"}).encode()
    for _ in range(count):
        started = time.perf_counter()
        client.post(str(settings.webhook_url), content=body)
        posts.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": pct(latencies, 0.99),
        "post_alone_p50_ms": statistics.median(posts),
    }


def verify_events(db: Database, count: int) -> dict[str, float]:
    with db.write() as conn:
        have = chain.verify(conn).events
        now = datetime.now(UTC)
        for n in range(max(0, count - have)):
            chain.append(conn, at=now, actor="bench", kind=EventKind.TRIAGED, data={"n": n})
    with db.read() as conn:
        started = time.perf_counter()
        verified = chain.verify(conn)
        ours = time.perf_counter() - started
        events = list(chain.events(conn))
    bodies = [
        chain.canonical(
            chain.hashed_fields(e.seq, e.at, e.actor, e.kind.value, e.case_id, e.reason, e.data)
        )
        for e in events
    ]
    started = time.perf_counter()
    prev = chain.GENESIS.encode()
    for body in bodies:
        prev = hashlib.sha256(prev + body).hexdigest().encode()
    floor = time.perf_counter() - started
    return {"events": verified.events, "verify_s": ours, "hash_only_s": floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/casework.db"
        settings = Settings(
            database_url=url,
            webhook_url="https://platform.example/consentgate",  # type: ignore[arg-type]
            webhook_secret="bench-secret",  # type: ignore[arg-type]
        )
        db = Database(url)
        upgrade(db)
        system = build_cases(db, settings)
        results: dict[str, Any] = {"store": url.split(":", 1)[0]}
        results["intake"] = notices_per_second(NoticeService(db, system.cases), db, args.notices)
        results["latency"] = notice_to_webhook(db, settings, args.latency)
        results["audit"] = verify_events(db, args.events)
        db.dispose()
    intake, latency, audit = results["intake"], results["latency"], results["audit"]
    print(f"store: {url.split(':', 1)[0]}")
    print(
        f"notices accepted: {intake['notices_per_s']:.0f}/s "
        f"(plain inserts of the same rows: {intake['plain_inserts_per_s']:.0f}/s, "
        f"ratio {intake['plain_inserts_per_s'] / intake['notices_per_s']:.1f}x)"
    )
    print(
        f"notice -> webhook: p50 {latency['p50_ms']:.1f} ms, p99 {latency['p99_ms']:.1f} ms "
        f"(the webhook POST alone: p50 {latency['post_alone_p50_ms']:.2f} ms)"
    )
    print(
        f"audit verify: {audit['events']} events in {audit['verify_s'] * 1000:.0f} ms "
        f"({'under' if audit['verify_s'] < 1 else 'OVER'} 1 s; hashing alone "
        f"{audit['hash_only_s'] * 1000:.0f} ms)"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "casework.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
