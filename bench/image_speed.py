"""Speed and memory of image screening: decode, each image detector, whole edit screens.

What it measures, on scikit-image's astronaut (a benign photo with one adult
face) scaled to 512, 1024 and 2048 px and saved as JPEG, as an edit: the
source photo and a "sunnier" output of the same size.

- decode: safe intake of one image (bytes to the shared working copy);
- each image detector's ``detect`` over the prepared source + output;
- the whole screen (decode both + every image detector + policy) pinned to one
  core, and on both cores (detectors run concurrently in the engine's pool);
- batch throughput: screens per second with two client threads on both cores;
- resident memory: current and peak RSS with every model loaded;
- cold start: a new process that imports, builds the engine, loads every model
  and screens once (what a CLI call or a new worker pays).

Targets (docs/images.md): 1024 px edit screen <= 120 ms p50 on one core;
<= 1.5 GB resident; cold start <= 3 s. Results go to bench/out/image_speed.json.

    .venv/bin/python bench/image_speed.py            # default run (about 1 minute)
    .venv/bin/python bench/image_speed.py --rounds 60
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance
from skimage import data

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.images.decoded import Memo
from consentgate.images.intake import decode_image
from consentgate.policy.loader import load_policy
from consentgate.records import Mode, ScreenRequest
from consentgate.settings import Settings

IMAGE_DETECTORS = ("faces", "age", "nudity", "nsfw_score")
SIZES = (512, 1024, 2048)
OUT = Path(__file__).resolve().parent / "out" / "image_speed.json"


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def edit_pair(size: int) -> tuple[bytes, bytes]:
    base = Image.fromarray(data.astronaut()).resize((size, size), Image.Resampling.BICUBIC)
    sunnier = ImageEnhance.Brightness(ImageEnhance.Color(base).enhance(1.3)).enhance(1.15)
    return jpeg(base), jpeg(sunnier)


def timed(fn: Callable[[], object], rounds: int) -> dict[str, float]:
    """Wall-clock p50/p99 and the process CPU time p50 (less sensitive to other load)."""
    fn()  # warm
    wall, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    p99 = wall[min(len(wall) - 1, round(0.99 * (len(wall) - 1)))]
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p99_ms": round(p99, 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
    }


def pin(cores: set[int]) -> None:
    """Pin every thread of this process (the detector pool too), not only the caller."""
    for task in Path("/proc/self/task").iterdir():
        os.sched_setaffinity(int(task.name), cores)


def rss_mb() -> tuple[float, float]:
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return round(current, 1), round(peak, 1)


def build_engine() -> ScreeningEngine:
    settings = Settings(detectors=IMAGE_DETECTORS)
    registry = DetectorRegistry.from_entry_points(only=IMAGE_DETECTORS)
    engine = ScreeningEngine(registry, load_policy(None), settings=settings)
    registry.warm_up()
    return engine


def request(source: bytes, output: bytes) -> ScreenRequest:
    return ScreenRequest(
        mode=Mode.EDIT, prompt="make it sunnier", source_image=source, output_image=output
    )


def fresh(inp: ScreenInput) -> ScreenInput:
    """The same decoded images with empty memos, so a detector does its full work."""
    assert inp.source is not None and inp.output is not None
    return replace(
        inp, source=replace(inp.source, memo=Memo()), output=replace(inp.output, memo=Memo())
    )


def throughput(engine: ScreeningEngine, req: ScreenRequest, seconds: float) -> float:
    done = [0, 0]
    stop = time.perf_counter() + seconds

    def client(slot: int) -> None:
        while time.perf_counter() < stop:
            engine.screen(req)
            done[slot] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(sum(done) / (time.perf_counter() - t0), 1)


COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {bench!r})
from image_speed import build_engine, edit_pair, request
engine = build_engine()
loaded = time.perf_counter()
engine.screen(request(*edit_pair(1024)))
print(loaded - t0, time.perf_counter() - t0)
"""


def cold_start() -> dict[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(bench=str(Path(__file__).parent))],
        capture_output=True,
        text=True,
        check=True,
    )
    total = time.perf_counter() - t0
    loaded, first = (float(v) for v in out.stdout.split())
    return {
        "process_to_first_decision_s": round(total, 2),
        "import_build_load_s": round(loaded, 2),
        "in_process_to_first_decision_s": round(first, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--throughput-seconds", type=float, default=5.0)
    args = parser.parse_args()
    results: dict[str, Any] = {"load_average_at_start": os.getloadavg()[0]}
    results["cold_start"] = cold_start()
    engine = build_engine()
    results["rss_after_load_mb"], _ = rss_mb()
    both_cores = os.sched_getaffinity(0)
    per_size: dict[str, Any] = {}
    for size in SIZES:
        source, output = edit_pair(size)
        req = request(source, output)
        inp = engine.prepare(req)
        row: dict[str, Any] = {"jpeg_kb": round(len(source) / 1024)}
        pin({min(both_cores)})
        row["decode_one"] = timed(lambda s=source: decode_image(s), args.rounds)
        for name in engine.registry.names():
            det = engine.registry.get(name)
            row[f"detector_{name}"] = timed(lambda d=det, i=inp: d.detect(fresh(i)), args.rounds)
        row["screen_one_core"] = timed(lambda r=req: engine.screen(r), args.rounds)
        pin(both_cores)
        row["screen_two_cores"] = timed(lambda r=req: engine.screen(r), args.rounds)
        row["throughput_two_clients_per_s"] = throughput(engine, req, args.throughput_seconds)
        per_size[str(size)] = row
        del inp
    results["sizes"] = per_size
    results["rss_end_mb"], results["rss_peak_mb"] = rss_mb()
    results["note"] = (
        "detector_* is one detect() over source + output with nothing memoised; "
        "age includes the face finding it otherwise shares with faces."
    )
    report(results)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


def report(results: dict[str, Any]) -> None:
    cold = results["cold_start"]
    print(f"machine load average at start: {results['load_average_at_start']:.2f}")
    print(f"cold start: {cold['process_to_first_decision_s']} s process start to first decision")
    print(
        f"resident: {results['rss_after_load_mb']} MB after loading, peak "
        f"{results['rss_peak_mb']} MB"
    )
    for size, row in results["sizes"].items():
        print(f"\n{size} px edit (source + output, JPEG {row['jpeg_kb']} KB each)")
        for key, value in row.items():
            if isinstance(value, dict):
                print(
                    f"  {key:<28} p50 {value['p50_ms']:>7.1f} ms   p99 {value['p99_ms']:>7.1f} ms"
                    f"   cpu p50 {value['cpu_p50_ms']:>7.1f} ms"
                )
        print(f"  throughput, 2 clients       {row['throughput_two_clients_per_s']} screens/s")


if __name__ == "__main__":
    np.random.seed(0)
    main()
