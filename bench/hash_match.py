"""PDQ matching at 1M and 10M hashes: ConsentGate's index beside numpy, faiss and pytx.

Bank: N random 256-bit PDQ hashes. Queries: bank entries with k bits flipped
(k uniform in 0..31, a quarter exactly 31) plus random non-matching hashes.
Ground truth is an exact flat scan (faiss IndexBinaryFlat range search).
Every method runs in this process, on this machine, in the same run.

    python bench/hash_match.py            # 1M (all methods) and 10M (pytx skipped)
    python bench/hash_match.py --quick    # 1M only
    python bench/hash_match.py --pytx-10m # also pytx at 10M (~3 min build, 5+ GB)

Writes bench/out/hash_match.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from consentgate.banks.index.codes import codes_to_hex, flip_bits, random_codes
from consentgate.banks.index.live import LiveSet, Part
from consentgate.banks.indexes import build_pdq

RADIUS = 31
OUT = Path(__file__).resolve().parent / "out"
Search = Callable[[np.ndarray], set[int]]
Truth = list[set[int]]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Row:
    method: str
    n: int
    build_s: float = 0.0
    index_mb: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    batch_qps: float = 0.0
    recall: float = 0.0
    false_results: int = 0
    queries: int = 0
    fresh_ms: float | None = None
    notes: list[str] = field(default_factory=list)


def make_queries(codes: np.ndarray, planted: int, negatives: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, len(codes), planted)
    ks = rng.integers(0, RADIUS + 1, planted)
    ks[: planted // 4] = RADIUS
    near = [flip_bits(codes[t], int(k), rng) for t, k in zip(targets, ks, strict=True)]
    far = random_codes(negatives, seed=seed + 7)
    return np.concatenate([np.stack(near), far])


def ground_truth(codes: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    index = faiss.IndexBinaryFlat(256)
    index.add(codes.view(np.uint8).reshape(-1, 32))
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    lims, _, ids = index.range_search(queries.view(np.uint8).reshape(-1, 32), RADIUS + 1)
    faiss.omp_set_num_threads(1)
    return [set(ids[lims[i] : lims[i + 1]].tolist()) for i in range(len(queries))]


def measure(row: Row, search: Search, queries: np.ndarray, truth: Truth, batch: int) -> None:
    times, found, expected, false = [], 0, 0, 0
    for query, want in zip(queries, truth, strict=False):
        t0 = time.perf_counter()
        got = search(query)
        times.append((time.perf_counter() - t0) * 1000)
        found += len(got & want)
        expected += len(want)
        false += len(got - want)
    row.p50_ms = round(float(np.median(times)), 3)
    row.p99_ms = round(float(np.percentile(times, 99)), 3)
    row.recall = round(found / expected, 4) if expected else 1.0
    row.false_results = false
    row.queries = len(times)
    t0 = time.perf_counter()
    for query in queries[:batch]:
        search(query)
    row.batch_qps = round(min(batch, len(queries)) / (time.perf_counter() - t0), 1)


def run_consentgate(codes: np.ndarray, queries: np.ndarray, truth: Truth, batch: int) -> Row:
    row = Row("consentgate MIH", len(codes))
    ids = np.arange(len(codes), dtype=np.int64)
    before = rss_mb()
    t0 = time.perf_counter()
    live = LiveSet(build_pdq, 4, Part.build(build_pdq, ids, np.ones(len(codes), np.int32), codes))
    row.build_s = round(time.perf_counter() - t0, 2)
    row.index_mb = round(live.nbytes / 2**20, 1)
    row.notes.append(
        f"rss +{rss_mb() - before:.0f} MB; plan {len(live.main.index.plan.substrings)} substrings"
    )  # type: ignore[attr-defined]
    measure(row, lambda q: set(live.search(q, RADIUS).entry_ids.tolist()), queries, truth, batch)
    fresh = random_codes(20, seed=4242)
    times = []
    for i, code in enumerate(fresh):
        t0 = time.perf_counter()
        live.upsert(np.array([len(codes) + i]), np.array([1], np.int32), code.reshape(1, 4))
        assert len(codes) + i in set(live.search(code, 0).entry_ids.tolist())
        times.append((time.perf_counter() - t0) * 1000)
    row.fresh_ms = round(float(np.median(times)), 3)
    row.notes.append("fresh = upsert into the recent part + first search, no rebuild")
    t0 = time.perf_counter()
    live.remove(np.array([int(next(iter(truth[0])))]) if truth[0] else np.array([0]))
    row.notes.append(f"withdraw {1000 * (time.perf_counter() - t0):.3f} ms")
    save_load(row, live)
    return row


def save_load(row: Row, live: LiveSet) -> None:
    directory = Path(tempfile.mkdtemp(prefix="cg-index-"))
    try:
        t0 = time.perf_counter()
        live.save(directory / "pdq")
        saved = time.perf_counter() - t0
        t0 = time.perf_counter()
        LiveSet.load(directory / "pdq", build_pdq, lambda d: type(live.main.index).load(d), 4)  # type: ignore[attr-defined]
        row.notes.append(f"persist {saved:.2f} s, reload {time.perf_counter() - t0:.2f} s")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_numpy(codes: np.ndarray, queries: np.ndarray, truth: Truth, limit: int) -> Row:
    row = Row("numpy brute force", len(codes))

    def search(q: np.ndarray) -> set[int]:
        out: set[int] = set()
        for start in range(0, len(codes), 1 << 20):
            chunk = codes[start : start + (1 << 20)]
            d = np.bitwise_count(chunk ^ q).sum(axis=1, dtype=np.int64)
            out.update((np.flatnonzero(d <= RADIUS) + start).tolist())
        return out

    picked = np.r_[0 : limit // 2, len(queries) - limit // 2 : len(queries)]
    measure(row, search, queries[picked], [truth[i] for i in picked], batch=limit)
    row.fresh_ms = 0.0
    row.notes.append("no index; an append is free but every query scans the bank")
    return row


def run_faiss_flat(codes: np.ndarray, queries: np.ndarray, truth: Truth, limit: int) -> Row:
    row = Row("faiss IndexBinaryFlat", len(codes))
    faiss.omp_set_num_threads(1)
    before = rss_mb()
    t0 = time.perf_counter()
    index = faiss.IndexBinaryFlat(256)
    index.add(codes.view(np.uint8).reshape(-1, 32))
    row.build_s = round(time.perf_counter() - t0, 2)
    row.index_mb = round(index.ntotal * 32 / 2**20, 1)
    row.notes.append(f"rss +{rss_mb() - before:.0f} MB; 1 OpenMP thread")

    def search(q: np.ndarray) -> set[int]:
        _, _, ids = index.range_search(q.view(np.uint8).reshape(1, 32), RADIUS + 1)
        return set(ids.tolist())

    picked = np.r_[0 : limit // 2, len(queries) - limit // 2 : len(queries)]
    measure(row, search, queries[picked], [truth[i] for i in picked], batch=limit)
    t0 = time.perf_counter()
    index.add(random_codes(1, seed=77).view(np.uint8).reshape(1, 32))
    row.fresh_ms = round((time.perf_counter() - t0) * 1000, 3)
    row.notes.append("append only: removal (remove_ids) rewrites the array")
    return row


def run_pytx(codes: np.ndarray, queries: np.ndarray, truth: Truth, batch: int) -> Row:
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    row = Row("threatexchange PDQIndex", len(codes))
    hexes = codes_to_hex(codes)
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    index = PDQIndex.build(zip(hexes, range(len(hexes)), strict=True))
    row.build_s = round(time.perf_counter() - t0, 2)
    row.index_mb = round(rss_mb() - before, 1)
    row.notes.append("index_mb is the RSS growth while building (faiss MIH16 + Python id map)")
    query_hex = codes_to_hex(queries)
    lookup = dict(zip((q.tobytes() for q in queries), query_hex, strict=True))

    def search(q: np.ndarray) -> set[int]:
        return {m.metadata for m in index.query(lookup[q.tobytes()])}

    measure(row, search, queries, truth, batch)
    row.fresh_ms = round(row.build_s * 1000, 1)
    row.notes.append("fresh = full rebuild, as HMA rebuilds on every bank change")
    return row


def store_freshness(trials: int = 10, poll_s: float = 0.5) -> dict[str, float]:
    """Time from an entry's commit (one process) to a match in another worker's index.

    The worker has its own database connection and learns of changes only from
    the store's change log, polled every ``poll_s`` (the default 0.5 s).
    """
    from consentgate.banks.matcher import BankMatcher
    from consentgate.banks.service import BankService
    from consentgate.store.database import Database
    from consentgate.store.migrate import upgrade

    directory = Path(tempfile.mkdtemp(prefix="cg-fresh-"))
    url = f"sqlite:///{directory / 'store.db'}"
    writer_db = Database(url)
    upgrade(writer_db)
    writer = BankService(writer_db)
    writer.create_bank("victims", "ncii")
    worker = BankMatcher(Database(url), poll_interval_s=poll_s).start()
    added, withdrawn = [], []
    try:
        for i, code in enumerate(codes_to_hex(random_codes(trials, seed=999))):
            time.sleep(0.1 * (i % 5))  # spread the adds across the poll cycle
            t0 = time.perf_counter()
            entry = writer.add_entry("victims", pdq=code, retro=False).entry
            while not worker.match([code], quality=None, md5=None).matches:
                time.sleep(0.005)
            added.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            writer.withdraw(entry.id)
            while worker.match([code], quality=None, md5=None).matches:
                time.sleep(0.005)
            withdrawn.append((time.perf_counter() - t0) * 1000)
    finally:
        worker.close()
        writer_db.dispose()
        shutil.rmtree(directory, ignore_errors=True)
    result = {
        "poll_s": poll_s,
        "add_median_ms": round(float(np.median(added)), 1),
        "add_max_ms": round(max(added), 1),
        "withdraw_median_ms": round(float(np.median(withdrawn)), 1),
        "withdraw_max_ms": round(max(withdrawn), 1),
    }
    print(
        f"store -> another worker (poll {poll_s} s, SQLite): add matchable after "
        f"median {result['add_median_ms']} ms (max {result['add_max_ms']}), withdrawal "
        f"effective after median {result['withdraw_median_ms']} ms "
        f"(max {result['withdraw_max_ms']})",
        flush=True,
    )
    return result


def bench_size(n: int, args: argparse.Namespace) -> list[Row]:
    print(f"\n== {n:,} hashes ==", flush=True)
    codes = random_codes(n, seed=args.seed)
    queries = make_queries(codes, args.planted, args.negatives, seed=args.seed + 1)
    t0 = time.perf_counter()
    truth = ground_truth(codes, queries)
    print(
        f"ground truth for {len(queries)} queries in {time.perf_counter() - t0:.1f} s", flush=True
    )
    slow = 40 if n > 2_000_000 else 120  # flat scans are slow: fewer queries
    rows = [run_consentgate(codes, queries, truth, args.batch)]
    gc.collect()
    rows.append(run_faiss_flat(codes, queries, truth, slow))
    rows.append(run_numpy(codes, queries, truth, slow // 2))
    if not args.no_pytx and (n <= 2_000_000 or args.pytx_10m):
        rows.append(run_pytx(codes, queries, truth, args.batch))
    for row in rows:
        print_row(row)
    return rows


def print_row(row: Row) -> None:
    fresh = "-" if row.fresh_ms is None else f"{row.fresh_ms:.3f}"
    print(
        f"{row.method:26s} n={row.n:>10,} build {row.build_s:7.2f}s  mem {row.index_mb:8.1f}MB  "
        f"p50 {row.p50_ms:8.3f}ms  p99 {row.p99_ms:8.3f}ms  {row.batch_qps:9.1f} q/s  "
        f"recall {row.recall:.4f}  false {row.false_results}  fresh {fresh}ms  "
        f"({row.queries} queries) {'; '.join(row.notes)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1M only")
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--pytx-10m", action="store_true", help="also run pytx at 10M (slow)")
    parser.add_argument("--no-pytx", action="store_true", help="skip threatexchange entirely")
    parser.add_argument("--planted", type=int, default=400)
    parser.add_argument("--negatives", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    sizes = [1_000_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rows: list[Row] = []
    for n in sizes:
        rows.extend(bench_size(n, args))
        gc.collect()
    fresh = store_freshness()
    OUT.mkdir(exist_ok=True)
    result = {"rows": [asdict(r) for r in rows], "store_freshness": fresh}
    (OUT / "hash_match.json").write_text(json.dumps(result, indent=2))
    print(f"\nwrote {OUT / 'hash_match.json'}")


if __name__ == "__main__":
    main()
