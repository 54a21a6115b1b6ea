"""Speed of prompt screening through the whole engine, beside the keyword baseline.

What it measures, on the prompts of the labelled set (all languages and disguises):

- single prompt: latency of ``engine.screen`` for a prompt-only request (normalise,
  both prompt detectors in the engine's pool, policy), process pinned to one core;
- batch: prompts screened per second, one after another, on that one core;
- cold start: a fresh Python process that imports the engine, loads the lexicon
  and the classifier, and screens one prompt (what a CLI call or a new worker pays).

The plain English keyword list (bench/prompt_common.py) is timed the same way.
Targets (docs/prompt.md): p50 <= 3 ms, p99 <= 15 ms, batch >= 1,000 prompts/s,
cold start <= 2 s. Results go to bench/out/prompt_speed.json.

    .venv/bin/python bench/prompt_speed.py              # default run (under a minute)
    .venv/bin/python bench/prompt_speed.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from consentgate.records import ScreenRequest
from prompt_common import (
    OUT,
    PROMPT_DETECTORS,
    baseline_verdict,
    load_items,
    prompt_engine,
    request,
)

COLD_ENGINE = f"""
from consentgate.engine import ScreeningEngine
from consentgate.records import ScreenRequest
from consentgate.settings import Settings
engine = ScreeningEngine.build(Settings(detectors={PROMPT_DETECTORS!r}))
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


def latencies(run: Callable[[ScreenRequest], object], requests: list[ScreenRequest]) -> list[float]:
    out = []
    for req in requests:
        t0 = time.perf_counter()
        run(req)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def cold_start(code: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the prompt set")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    requests = [request(i) for i in load_items(None)]
    engine = prompt_engine()
    for req in requests[:200]:  # warm up caches and the pool
        engine.screen(req)
    engine_ms: list[float] = []
    baseline_ms: list[float] = []
    started = time.perf_counter()
    for _ in range(args.rounds):
        engine_ms += latencies(engine.screen, requests)
    engine_rate = len(engine_ms) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(args.rounds):
        baseline_ms += latencies(lambda r: baseline_verdict(r.prompt or ""), requests)
    baseline_rate = len(baseline_ms) / (time.perf_counter() - started)
    results = {
        "prompts": len(engine_ms),
        "cores": 1,
        "engine": {
            "p50_ms": percentile(engine_ms, 0.5),
            "p99_ms": percentile(engine_ms, 0.99),
            "prompts_per_s": engine_rate,
            "cold_start_s": cold_start(COLD_ENGINE),
        },
        "baseline": {
            "p50_ms": percentile(baseline_ms, 0.5),
            "p99_ms": percentile(baseline_ms, 0.99),
            "prompts_per_s": baseline_rate,
            "cold_start_s": cold_start(COLD_BASELINE),
        },
    }
    eng, base = results["engine"], results["baseline"]
    print(f"prompt screening speed: {len(engine_ms)} screens of {len(requests)} prompts, one core")
    print(f"{'':<22}{'engine':>12}{'baseline':>12}{'target':>12}")
    rows = [("single p50 (ms)", "p50_ms", "<= 3"), ("single p99 (ms)", "p99_ms", "<= 15"),
            ("batch (prompts/s)", "prompts_per_s", ">= 1000"),
            ("cold start (s)", "cold_start_s", "<= 2")]  # fmt: skip
    for title, key, target in rows:
        print(f"{title:<22}{eng[key]:>12.3f}{base[key]:>12.3f}{target:>12}")
    checks = {
        "p50 <= 3 ms": eng["p50_ms"] <= 3,
        "p99 <= 15 ms": eng["p99_ms"] <= 15,
        "batch >= 1000/s": eng["prompts_per_s"] >= 1000,
        "cold start <= 2 s": eng["cold_start_s"] <= 2,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    results["checks"] = checks
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "prompt_speed.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    engine.close()


if __name__ == "__main__":
    main()
