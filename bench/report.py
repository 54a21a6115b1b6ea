"""Time to build a transparency report over 1 million decisions and 100,000 cases, on SQLite
and on PostgreSQL, beside a naive baseline measured in the same run on the same store.

The report (``consentgate.reports.build``) counts in SQL; the baseline loads the period's
decision, case, notice and statement rows into Python and counts there (what a report
written without SQL aggregation does). Both compute the headline figures (screens by
verdict, decisions, the median time to decision, deadlines missed, appeals reversed,
restrictions by the category their statements of reasons say) and the run checks that
they agree. Data is generated with bulk inserts (``bench/report_data.py``).

    python bench/report.py                          # full size: 1M decisions, 100k cases
    python bench/report.py --scale 0.05            # 50,000 decisions, 5,000 cases
    python bench/report.py --stores sqlite --repeats 3
    python bench/report.py --pg-admin-url postgresql+psycopg://root@127.0.0.1:5432/test

Writes bench/out/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from consentgate.reports.build import build_report
from consentgate.reports.eu_csv import PARTS, render
from consentgate.reports.html import render_html
from consentgate.reports.period import Period, period_of
from consentgate.reports.records import TransparencyReport
from consentgate.settings import Settings
from consentgate.store.cases_tables import audit_events, cases, notices
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.service_tables import decisions
from consentgate.store.statements_tables import statements
from report_data import DAYS, START, fill

OUT = Path(__file__).resolve().parent / "out"


def naive(db: Database, period: Period) -> dict[str, Any]:
    """The headline figures the slow way: every row a report reads, into Python, then count.

    It loads what the report needs (each screen's mode, verdict, rules and time; each
    case's record with its notice; each appeal's outcome) and counts only the headline.
    """
    verdicts: Counter[str] = Counter()
    durations: list[float] = []
    late = reversed_ = 0
    start, end = period.start.timestamp(), period.end.timestamp()
    with db.read() as conn:
        outcomes = {
            case_id: (at.replace(tzinfo=UTC).timestamp(), data["outcome"])
            for case_id, at, data in conn.execute(
                select(audit_events.c.case_id, audit_events.c.at, audit_events.c.data).where(
                    audit_events.c.kind == "appeal_decided"
                )
            )
        }
        screens = conn.execute(
            select(decisions.c.created, decisions.c.mode, decisions.c.verdict,
                   decisions.c.escalate, decisions.c.rules)
            .where(decisions.c.created >= period.start, decisions.c.created < period.end)
        )  # fmt: skip
        for _created, _mode, verdict, _escalate, _rules in screens:
            verdicts[verdict] += 1
        rows = conn.execute(
            select(
                cases.c.record, cases.c.received_at, cases.c.deadline_at, notices.c.data
            ).select_from(cases.outerjoin(notices, notices.c.id == cases.c.notice_id))
        )
        for record, received, deadline, _notice in rows:
            decided_at = record.get("decided_at")
            if decided_at is not None:
                decided = datetime.fromisoformat(decided_at).timestamp()
                if start <= decided < end:
                    durations.append(decided - received.replace(tzinfo=UTC).timestamp())
                    late += decided > deadline.replace(tzinfo=UTC).timestamp()
            appealed = record.get("appealed_at")
            if appealed and start <= datetime.fromisoformat(appealed).timestamp() < end:
                at, outcome = outcomes.get(record["id"], (end, ""))
                reversed_ += at < end and outcome == "reversed"
        stated: Counter[str] = Counter()
        for (body,) in conn.execute(
            select(statements.c.statement).where(
                statements.c.created_at >= period.start, statements.c.created_at < period.end
            )
        ):
            stated[body["category"]] += 1
    durations.sort()
    n = len(durations)
    return {
        "screens": dict(sorted(verdicts.items())),
        "decided": n,
        "p50_s": round(durations[(n + 1) // 2 - 1], 0) if n else None,
        "decided_late": late,
        "appeals_reversed": reversed_,
        "stated": dict(sorted(stated.items())),
    }


def headline(db: Database, period: Period) -> tuple[dict[str, Any], Any]:
    r = build_report(db, period, Settings(), now=datetime.now(UTC))
    p50 = r.decisions.time_to_decision.p50_s
    return {
        "screens": {k: v for k, v in sorted(r.screens.by_verdict.items()) if v},
        "decided": r.decisions.total,
        "p50_s": None if p50 is None else round(p50, 0),
        "decided_late": sum(q.decided_late for q in r.decisions.queues),
        "appeals_reversed": r.appeals.reversed,
        "stated": _stated(r),
    }, r


def _stated(r: TransparencyReport) -> dict[str, int]:
    """Restrictions by category: part 4's actions and the measures of parts 5 and 6."""
    found: Counter[str] = Counter()
    for row in r.notices.rows:
        if row.keyword is None and row.category != "TOTAL":
            found[row.category] += row.actions + row.actions_terms
    for m in r.own_initiative:
        if m.keyword is None and m.category != "TOTAL":
            found[m.category] += m.measures
    return dict(sorted((+found).items()))


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


@contextmanager
def store(kind: str, admin_url: str) -> Iterator[Database]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / 'report.db'}")
            try:
                yield db
            finally:
                db.dispose()
        return
    name = f"cg_bench_report_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    n_decisions, n_cases = round(1_000_000 * args.scale), round(100_000 * args.scale)
    period = period_of("2026-07-01", "2026-12-31")
    assert (period.end - START).days == DAYS
    with store(kind, args.pg_admin_url) as db:
        upgrade(db)
        print(f"{kind}: generating", flush=True)
        started = time.perf_counter()
        fill(db, n_decisions, n_cases, lambda line: print(line, flush=True))
        if kind == "postgresql":  # statistics, as autovacuum keeps them on a live server
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        generated = time.perf_counter() - started
        ours_s, (ours, report) = timed(lambda: headline(db, period), args.repeats)
        naive_s, theirs = timed(lambda: naive(db, period), args.repeats)
        render_s, _ = timed(lambda: (render_html(report), [render(p, report) for p in PARTS]), 1)
    return {
        "store": kind, "decisions": n_decisions, "cases": n_cases,
        "generate_s": round(generated, 1), "report_s": round(ours_s, 3),
        "naive_s": round(naive_s, 3), "speedup": round(naive_s / ours_s, 2),
        "render_s": round(render_s, 3), "agree": ours == theirs, "figures": ours,
        "naive_figures": theirs,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1M decisions, 100k cases")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (the median is shown)")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL database next to which a scratch one is made and dropped",
    )
    args = parser.parse_args()
    results = [run(kind, args) for kind in args.stores.split(",")]
    print()
    print(f"{'store':<11} {'decisions':>10} {'cases':>8} {'report (SQL)':>13} "
          f"{'naive (Python)':>15} {'speedup':>8} {'agree':>6} {'html+csv':>9}")  # fmt: skip
    for r in results:
        print(f"{r['store']:<11} {r['decisions']:>10,} {r['cases']:>8,} {r['report_s']:>12.2f}s "
              f"{r['naive_s']:>14.2f}s {r['speedup']:>7.1f}x {r['agree']!s:>6} "
              f"{r['render_s']:>8.2f}s")  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    if not all(r["agree"] for r in results):
        for r in results:
            print(r["store"], r["figures"], r["naive_figures"], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
