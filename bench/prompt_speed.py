"""Speed of prompt screening: the new pipeline beside the old one and the keyword baseline.

Three pipelines, timed in the same run on the same prompts, process pinned to one core:

- ``new``: the engine with ``prompt_lexicon``, ``prompt_classifier`` and
  ``prompt_semantic`` (multilingual USE on every prompt, e5 for languages USE
  does not read);
- ``old``: the engine with ``prompt_lexicon`` and ``prompt_classifier`` only;
- ``baseline``: the plain English keyword list (bench/prompt_common.py).

Per pipeline: single-prompt latency of ``engine.screen`` (p50, p99), screens per
second one after another, and cold start (a fresh process that builds the
engine, warms its models and screens one prompt). For ``new``, also the
semantic detector's batch rate (``detect_many``: one embedding call per batch
of 64 prompts), the share of prompts that took the e5 path, and screens per
second with 16 screens at once (as a service's threads run them) with the
per-process batcher on (``CONSENTGATE_BATCH_WAIT_MS`` 2) and off (0), in the
same run. Cold start is measured twice for ``new``: the first start ever,
which also writes USE's prepared tokenizer tables and weights to the cache
directory, and later starts, which read them (a fresh cache directory here).
The decision cache is off throughout: every screen here is a screen.

Prompt sets: ``ours`` (the labelled set, all 20 languages and disguises) and,
when ``../shared/data/public`` is there, ``coco`` (1,000 test-split COCO
captions: English traffic as a captioning or generation service sees it).

Targets of the new pipeline (issues 10 and 18): p50 <= 5 ms, p99 <= 20 ms,
>= 500 prompts/s batched, cold start <= 3 s. Results: bench/out/prompt_speed.json.

    .venv/bin/python bench/prompt_speed.py              # a few minutes
    .venv/bin/python bench/prompt_speed.py --limit 1500 # fewer prompts per set
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from consentgate.detectors.prompt_semantic import CueReader, PromptSemanticDetector
from consentgate.detectors.semantic_cascade import reads_wide
from consentgate.engine import ScreeningEngine
from consentgate.records import Mode, ScreenRequest
from consentgate.settings import Settings
from consentgate.text.normalise import normalise
from consentgate.text.splits import split_of
from prompt_common import OUT, ROOT, baseline_verdict, load_items, request

OLD = ("prompt_lexicon", "prompt_classifier")
NEW = (*OLD, "prompt_semantic")
PUBLIC = ROOT.parent / "shared" / "data" / "public"
COLD = """
from consentgate.engine import ScreeningEngine
from consentgate.records import ScreenRequest
from consentgate.settings import Settings
engine = ScreeningEngine.build(Settings(detectors={detectors!r}))
engine.registry.warm_up()
engine.screen(ScreenRequest(mode="edit", prompt="put her in a bikini"))
"""
COLD_BASELINE = """
import re
words = frozenset("nude naked bikini".split())
bool(set(re.findall("[a-z]+", "put her in a bikini")) & words)
"""


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(
    run: Callable[[ScreenRequest], object], requests: list[ScreenRequest]
) -> dict[str, float]:
    ms = []
    started = time.perf_counter()
    for req in requests:
        t0 = time.perf_counter()
        run(req)
        ms.append((time.perf_counter() - t0) * 1000)
    rate = len(ms) / (time.perf_counter() - started)
    return {"p50_ms": percentile(ms, 0.5), "p99_ms": percentile(ms, 0.99), "prompts_per_s": rate}


def cold_start(code: str, runs: int = 3, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cold_starts(detectors: tuple[str, ...]) -> tuple[float, float]:
    """(first start, building the cache; median of later starts, reading it)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        first = cold_start(COLD.format(detectors=detectors), runs=1, env=env)
        return first, cold_start(COLD.format(detectors=detectors), env=env)


def concurrent_rate(engine: ScreeningEngine, requests: list[ScreenRequest]) -> float:
    """Screens per second with 16 screens at once, as a service's threads run them."""
    with ThreadPoolExecutor(16) as pool:
        started = time.perf_counter()
        for _ in pool.map(engine.screen, requests):
            pass
    return len(requests) / (time.perf_counter() - started)


def coco(limit: int) -> list[ScreenRequest]:
    if not PUBLIC.is_dir():
        print(f"{PUBLIC} not found: the COCO set is skipped")
        return []
    with (PUBLIC / "coco_30k_captions.csv").open(encoding="utf-8") as f:
        texts = [r["prompt"] for r in csv.DictReader(f) if split_of(r["prompt"]) == "test"]
    return [ScreenRequest(mode=Mode.GENERATE, prompt=t) for t in texts[:limit]]


def batch_rate(detector: PromptSemanticDetector, requests: list[ScreenRequest]) -> float:
    texts = [normalise(r.prompt or "") for r in requests]
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        detector.detect_many(texts[start : start + 64])
    return len(texts) / (time.perf_counter() - started)


CUES = CueReader.default()


def read_by_e5(request: ScreenRequest) -> bool:
    """Whether the semantic detector's cascade gives this prompt to e5 as its reader."""
    text = normalise(request.prompt or "")
    return reads_wide(text.text, bool(CUES.read(text, lambda: None).lexicon))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3000, help="prompts per set")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sets = {"ours": [request(i) for i in load_items(None)][: args.limit], "coco": coco(args.limit)}
    engines = {
        name: ScreeningEngine.build(Settings(detectors=d, decision_cache=0))
        for name, d in (("new", NEW), ("old", OLD))
    }
    # the same pipeline with the batcher off, for the concurrent rate beside it
    unbatched = ScreeningEngine.build(Settings(detectors=NEW, decision_cache=0, batch_wait_ms=0))
    unbatched.registry.warm_up()
    for engine in engines.values():
        engine.registry.warm_up()
    semantic = engines["new"].registry.get("prompt_semantic")
    assert isinstance(semantic, PromptSemanticDetector)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, requests in sets.items():
        if not requests:
            continue
        for engine in engines.values():  # warm caches and the pool
            for req in requests[:100]:
                engine.screen(req)
        row = {name: timed(engine.screen, requests) for name, engine in engines.items()}
        row["baseline"] = timed(lambda r: baseline_verdict(r.prompt or ""), requests)
        row["new"]["batch_prompts_per_s"] = batch_rate(semantic, requests)
        row["new"]["concurrent_batcher_on_per_s"] = concurrent_rate(engines["new"], requests)
        row["new"]["concurrent_batcher_off_per_s"] = concurrent_rate(unbatched, requests)
        row["new"]["e5_share"] = sum(map(read_by_e5, requests)) / len(requests)
        results[set_name] = row
    first, cached = cold_starts(NEW)
    cold = {
        "new": cached,
        "new_first": first,
        "old": cold_start(COLD.format(detectors=OLD)),
        "baseline": cold_start(COLD_BASELINE),
    }
    print("prompt screening speed, one core (new = old + prompt_semantic)")
    print(
        f"{'set':<6}{'measure':<24}{'new':>10}{'old':>10}{'baseline':>10}{'new/old':>9}{'target':>10}"
    )
    targets = {
        "p50_ms": "<= 5",
        "p99_ms": "<= 20",
        "prompts_per_s": "",
        "batch_prompts_per_s": ">= 500",
    }
    for set_name, row in results.items():
        for key, target in targets.items():
            new = row["new"][key]
            old, base = row["old"].get(key, float("nan")), row["baseline"].get(key, float("nan"))
            figures = f"{new:>10.2f}{old:>10.2f}{base:>10.2f}{new / old:>9.2f}"
            print(f"{set_name:<6}{key:<24}{figures}{target:>10}")
        print(f"{set_name:<6}{'e5 share':<24}{row['new']['e5_share']:>10.3f}")
        on = row["new"]["concurrent_batcher_on_per_s"]
        off = row["new"]["concurrent_batcher_off_per_s"]
        print(
            f"{set_name:<6}{'16 at once, batcher on':<24}{on:>10.2f}{'':>20}"
            f"{on / off:>9.2f}  (x unbatched)"
        )
        print(f"{set_name:<6}{'16 at once, batcher off':<24}{off:>10.2f}")
    print(
        f"{'':<6}{'cold start (s)':<24}{cold['new']:>10.2f}{cold['old']:>10.2f}"
        f"{cold['baseline']:>10.2f}"
        f"{cold['new'] / cold['old']:>9.2f}{'<= 3':>10}"
    )
    print(f"{'':<6}{'first start ever (s)':<24}{cold['new_first']:>10.2f}  (writes the cache)")
    checks = {f"{s} p50 <= 5 ms": r["new"]["p50_ms"] <= 5 for s, r in results.items()}
    checks |= {f"{s} p99 <= 20 ms": r["new"]["p99_ms"] <= 20 for s, r in results.items()}
    checks |= {
        f"{s} batch >= 500/s": r["new"]["batch_prompts_per_s"] >= 500 for s, r in results.items()
    }
    checks["cold start <= 3 s"] = cold["new"] <= 3
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    OUT.mkdir(parents=True, exist_ok=True)
    out = {"sets": results, "cold_start_s": cold, "checks": checks, "cores": 1}
    (OUT / "prompt_speed.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    for engine in (*engines.values(), unbatched):
        engine.close()


if __name__ == "__main__":
    main()
