"""Today's face finder (YuNet) against the previous one (BlazeFace), in one run.

Whole one-core edit screens (1024 px astronaut source + "sunnier" output, all
four image detectors, bytes never seen before) alternate between the two
finders round by round, so both see the same machine load; then each finder
alone on one working copy and on a drawn crowd (40 heads of about 11 px in the
working copy), with the faces it found. Figures: median CPU time of the
process (and wall-clock p50).

    .venv/bin/python bench/face_finder_speed.py              # about a minute
    .venv/bin/python bench/face_finder_speed.py --rounds 40
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from consentgate.detectors.vision import loader
from consentgate.detectors.vision.blazeface_finder import blazeface_finder
from consentgate.detectors.vision.face_finder import face_finder
from consentgate.images.intake import decode_image
from image_speed import build_engine, drawn_crowd, edit_pair, pin, request, unseen

SHARED_KEY = "yunet"  # where face_finder() keeps today's finder


def cpu_and_wall(fn: Callable[[], object]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.process_time() - c0) * 1000, (time.perf_counter() - t0) * 1000


def line(name: str, runs: list[tuple[float, float]], extra: str = "") -> None:
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(f"  {name:<44} cpu p50 {cpu:7.1f} ms   wall p50 {wall:7.1f} ms  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    engine = build_engine()
    finders = {"today (YuNet)": face_finder(), "previous (BlazeFace)": blazeface_finder()}
    pin({min(os.sched_getaffinity(0))})
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    pair = edit_pair(1024)
    screens: dict[str, list[tuple[float, float]]] = {name: [] for name in finders}
    for _ in range(args.rounds + 1):  # the first round warms up
        for name, finder in finders.items():
            loader._loaded[SHARED_KEY] = finder  # every detector asks face_finder()
            screen = request(unseen(pair[0]), unseen(pair[1]))
            screens[name].append(cpu_and_wall(lambda s=screen: engine.screen(s)))  # type: ignore[misc]
    loader._loaded[SHARED_KEY] = finders["today (YuNet)"]
    print("1024 px edit screen, one core, cold (alternating rounds):")
    for name, runs in screens.items():
        line(name, runs[1:])
    frames = {
        "one photo": decode_image(pair[0]).frames[0],
        "crowd of 40": decode_image(drawn_crowd()).frames[0],
    }
    for label, frame in frames.items():
        print(f"face finding alone, {label}:")
        for name, finder in finders.items():
            found = len(finder.frame_faces(frame))
            runs = [cpu_and_wall(lambda: finder.frame_faces(frame)) for _ in range(args.rounds)]  # noqa: B023
            line(name, runs, f"{found} face(s)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
