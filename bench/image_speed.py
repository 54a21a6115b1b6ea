"""Speed and memory of image screening: decode, each image detector, whole edit screens.

What it measures, on scikit-image's astronaut (a benign photo with one adult
face) scaled to 512, 1024 and 2048 px and saved as JPEG, as an edit: the
source photo and a "sunnier" output of the same size.

- decode: safe intake of one image (bytes to the shared working copy);
- each image detector's ``detect`` over the prepared source + output, with
  nothing memoised (``age`` then includes the face finding it shares with
  ``faces`` in a screen; ``age_faces_known`` is its own part);
- the whole edit screen (decode both + every image detector + policy) pinned to
  one core: cold (bytes never seen before), after the same worker screened the
  source before generation (``source_seen``: the source's findings are
  remembered by digest), without ``nsfw_score``, and both (these three at 1024 px
  unless ``--variants-at`` says otherwise); the cold screen on both
  cores, and batch throughput of cold screens with two client threads;
- the floor: every model's inference alone (bench/image_floor.py) and the
  core's SGEMM speed, so a run on any machine shows what no code change can beat;
- resident memory: current and peak RSS with every model loaded;
- cold start: a new process that imports, builds the engine, loads every model
  and screens once (what a CLI call or a new worker pays).

Every timed screen sends bytes the process has not seen (a JPEG comment with a
counter: same pixels, new digest), so no remembered finding is reused unless a
row says so. Figures: wall-clock p50/p99 and the median CPU time of the process
(less sensitive to other load on the machine); the load average is printed at
start and end.

Targets (docs/images.md): 1024 px edit screen <= 120 ms p50 on one core;
<= 1.5 GB resident; cold start <= 3 s. Results go to bench/out/image_speed.json.

    .venv/bin/python bench/image_speed.py                  # default run (about 3 minutes)
    .venv/bin/python bench/image_speed.py --sizes 1024 --rounds 60
"""

from __future__ import annotations

import argparse
import itertools
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
from typing import Any, TypeVar

import numpy as np
from PIL import Image
from skimage import data

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.vision.blazeface_finder import blazeface_finder
from consentgate.detectors.vision.face_finder import face_finder
from consentgate.engine import ScreeningEngine
from consentgate.images.intake import decode_image
from consentgate.images.memo import Memo
from consentgate.policy.loader import load_policy
from consentgate.records import Mode, ScreenRequest
from consentgate.settings import Settings
from edit_images import edit_pair, jpeg, unseen
from image_floor import model_floor
from image_floor import report as report_floor

IMAGE_DETECTORS = ("faces", "age", "nudity", "nsfw_score")
SIZES = (512, 1024, 2048)
OUT = Path(__file__).resolve().parent / "out" / "image_speed.json"
T = TypeVar("T")
_serial = itertools.count()


def drawn_crowd() -> bytes:
    """40 copies of the astronaut's head, 36 px wide on a 1,024 px canvas (about 11 px faces
    in the working copy): a crowd, where the face finder takes its second, enlarged look."""
    head = Image.fromarray(data.astronaut()).crop((150, 40, 300, 210)).resize((36, 41))
    canvas = Image.new("RGB", (1024, 1024), (200, 200, 190))
    for i in range(40):
        canvas.paste(head, (8 + (i % 23) * 44, 8 + (i // 23) * 49))
    return jpeg(canvas)


def timed(fn: Callable[[T], object], rounds: int, setup: Callable[[], T]) -> dict[str, float]:
    """Wall-clock p50/p99 and the process CPU time p50 of ``fn``; ``setup`` is not timed."""
    fn(setup())  # warm
    wall, cpu = [], []
    for _ in range(rounds):
        arg = setup()
        t0, c0 = time.perf_counter(), time.process_time()
        fn(arg)
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


def build_engine(detectors: tuple[str, ...] = IMAGE_DETECTORS) -> ScreeningEngine:
    settings = Settings(detectors=detectors)
    registry = DetectorRegistry.from_entry_points(only=detectors)
    engine = ScreeningEngine(registry, load_policy(None), settings=settings)
    registry.warm_up()
    return engine


def request(source: bytes, output: bytes | None = None) -> ScreenRequest:
    return ScreenRequest(
        mode=Mode.EDIT, prompt="make it sunnier", source_image=source, output_image=output
    )


def fresh(inp: ScreenInput) -> ScreenInput:
    """The same decoded images with empty memos, so a detector does its full work."""
    assert inp.source is not None and inp.output is not None
    return replace(
        inp, source=replace(inp.source, memo=Memo()), output=replace(inp.output, memo=Memo())
    )


def throughput(engine: ScreeningEngine, pair: tuple[bytes, bytes], seconds: float) -> float:
    done = [0, 0]
    stop = time.perf_counter() + seconds

    def client(slot: int) -> None:
        while time.perf_counter() < stop:
            engine.screen(request(unseen(pair[0]), unseen(pair[1])))
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


def measure_size(
    engines: dict[str, ScreeningEngine],
    size: int,
    args: argparse.Namespace,
    one: set[int],
) -> dict[str, Any]:
    rounds = args.rounds
    engine, both = engines["all"], os.sched_getaffinity(0)  # the caller's: every core
    pair = edit_pair(size)
    inp = engine.prepare(request(*pair))
    row: dict[str, Any] = {"jpeg_kb": round(len(pair[0]) / 1024)}
    pin(one)
    row["decode_one"] = timed(lambda b: decode_image(b), rounds, lambda: unseen(pair[0]))
    for name in engine.registry.names():
        det = engine.registry.get(name)
        row[f"detector_{name}"] = timed(det.detect, rounds, lambda: fresh(inp))
    age = engine.registry.get("faces"), engine.registry.get("age")

    def faces_known() -> ScreenInput:
        ready = fresh(inp)
        age[0].detect(ready)
        return ready

    row["detector_age_faces_known"] = timed(age[1].detect, rounds, faces_known)
    # Face finding alone on one working copy: today's finder beside the previous one.
    assert inp.source is not None
    frame = inp.source.frames[0]
    row["face_finder_one_image"] = timed(face_finder().frame_faces, rounds, lambda: frame)
    row["face_finder_previous_blazeface_one_image"] = timed(
        blazeface_finder().frame_faces, rounds, lambda: frame
    )
    crowd = decode_image(drawn_crowd()).frames[0]
    row["face_finder_crowd_of_40"] = timed(face_finder().frame_faces, rounds, lambda: crowd)
    row["face_finder_previous_blazeface_crowd_of_40"] = timed(
        blazeface_finder().frame_faces, rounds, lambda: crowd
    )
    cold = lambda: request(unseen(pair[0]), unseen(pair[1]))  # noqa: E731

    def seen_by(screener: ScreeningEngine) -> Callable[[], ScreenRequest]:
        def source_seen() -> ScreenRequest:
            source = unseen(pair[0])
            screener.screen(request(source))  # the screen before generation: prompt + source
            return request(source, unseen(pair[1]))

        return source_seen

    row["screen_one_core"] = timed(engine.screen, rounds, cold)
    if size in args.variants_at:
        row["screen_one_core_source_seen"] = timed(engine.screen, rounds, seen_by(engine))
        lean = engines["no_nsfw"]
        row["screen_one_core_without_nsfw_score"] = timed(lean.screen, rounds, cold)
        row["screen_one_core_source_seen_without_nsfw_score"] = timed(
            lean.screen, rounds, seen_by(lean)
        )
    pin(both)
    row["screen_two_cores"] = timed(engine.screen, rounds, cold)
    row["throughput_two_clients_per_s"] = throughput(engine, pair, args.throughput_seconds)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--throughput-seconds", type=float, default=5.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--variants-at",
        type=int,
        nargs="+",
        default=[1024],
        help="sizes that also get the source-seen and without-nsfw_score screens",
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"load_average_at_start": round(os.getloadavg()[0], 2)}
    results["cold_start"] = cold_start()
    engines = {
        "all": build_engine(),
        "no_nsfw": build_engine(tuple(d for d in IMAGE_DETECTORS if d != "nsfw_score")),
    }
    results["rss_after_load_mb"], _ = rss_mb()
    every = os.sched_getaffinity(0)
    one = {min(every)}
    pin(one)
    results["floor"] = model_floor()
    pin(every)
    results["sizes"] = {str(size): measure_size(engines, size, args, one) for size in args.sizes}
    results["rss_end_mb"], results["rss_peak_mb"] = rss_mb()
    results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    report(results)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


def report(results: dict[str, Any]) -> None:
    cold = results["cold_start"]
    print(
        f"machine load average: {results['load_average_at_start']:.2f} at start, "
        f"{results['load_average_at_end']:.2f} at end"
    )
    print(f"cold start: {cold['process_to_first_decision_s']} s process start to first decision")
    print(
        f"resident: {results['rss_after_load_mb']} MB after loading, peak "
        f"{results['rss_peak_mb']} MB"
    )
    report_floor(results["floor"])
    for size, row in results["sizes"].items():
        print(f"\n{size} px edit (source + output, JPEG {row['jpeg_kb']} KB each)")
        for key, value in row.items():
            if isinstance(value, dict):
                print(
                    f"  {key:<47} p50 {value['p50_ms']:>7.1f} ms   p99 {value['p99_ms']:>7.1f} ms"
                    f"   cpu p50 {value['cpu_p50_ms']:>7.1f} ms"
                )
        if "screen_one_core_source_seen" in row:
            seen, cold_row = row["screen_one_core_source_seen"], row["screen_one_core"]
            ratio = seen["cpu_p50_ms"] / cold_row["cpu_p50_ms"]
            print(f"  {'source seen / cold screen (cpu)':<47} {ratio:.2f}")
        print(f"  {'throughput, 2 clients':<47} {row['throughput_two_clients_per_s']} screens/s")


if __name__ == "__main__":
    np.random.seed(0)
    main()
