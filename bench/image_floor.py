"""The floor under an image screen: the image models' own inference, nothing else.

Why measure it: no pre- or post-processing change can make a screen faster than
the sum of its model runs. Two views, both on one core with the same runtime
settings as the detectors (one thread, every graph optimisation, denormals
flushed to zero):

- ``model_floor``: each model alone on a fixed input of its size; its work in
  GFLOP (multiply-adds x 2, counted from the conv and dense layers' shapes in
  each graph at these input sizes) divided by its time gives the speed the
  runtime reaches. Set beside this core's own SGEMM speed (numpy's BLAS, 1024 x
  1024, one thread), it shows whether the runtime or the core is the limit.
  Its per-edit counts are fixed, so it says nothing of which models a screen
  really runs.
- ``screen_floor``: the model calls one real screen makes, recorded as it runs
  (every ONNX Runtime session, YuNet, BlazeFace's check and the sentence
  encoders, with the very inputs the screen gave them), then each replayed
  alone; their sum is "the sum of the screen's models' own time". The whole
  screen (fresh bytes each time, so nothing is remembered) is timed in the
  same rounds, alternating with the replays, and the ratio screen / floor is
  what pre- and post-processing, the policy and the threads add (target:
  at most 1.3 at 1024 px).

    .venv/bin/python bench/image_floor.py                 # both (about a minute)
    .venv/bin/python bench/image_floor.py --rounds 40     # steadier medians
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from consentgate.detectors.vision.age_model import AGE_MODEL
from consentgate.detectors.vision.blazeface import FULL_RANGE, SHORT_RANGE
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.nudenet import NUDENET
from consentgate.detectors.vision.onnx import single_thread_session
from consentgate.detectors.vision.opennsfw import OPEN_NSFW
from consentgate.detectors.vision.quiet import native_stderr_silenced
from consentgate.threads import flush_denormals
from edit_images import edit_pair, unseen
from screen_floor import build_engine, screen_floor
from screen_floor import report as report_screens

OUT = Path(__file__).resolve().parent / "out" / "image_floor.json"

# model: (file, input shape, GFLOP per run, runs per 1-face edit screen, runtime)
MODELS: dict[str, tuple[ModelFile, tuple[int, ...], float, int, str]] = {
    "nudenet_320n": (NUDENET, (1, 3, 320, 320), 2.025, 2, "onnx"),
    "open_nsfw": (OPEN_NSFW, (1, 224, 224, 3), 2.137, 1, "onnx"),
    "age_one_face_and_mirror": (AGE_MODEL, (2, 3, 64, 64), 0.253, 2, "onnx"),
    "blazeface_full_range": (FULL_RANGE, (1, 192, 192, 3), 0.211, 2, "litert"),
    "blazeface_short_range": (SHORT_RANGE, (1, 128, 128, 3), 0.062, 2, "litert"),
}


def cpu_ms(fn: Callable[[], object], rounds: int) -> float:
    """Median CPU time of one call (the process is pinned to one core by the caller)."""
    fn()
    times = []
    for _ in range(rounds):
        c0 = time.process_time()
        fn()
        times.append((time.process_time() - c0) * 1000)
    return round(statistics.median(times), 2)


def runner(model: ModelFile, shape: tuple[int, ...], runtime: str) -> Callable[[], object]:
    tensor = np.random.default_rng(0).random(shape, dtype=np.float32)
    if runtime == "onnx":
        session = single_thread_session(model.read())
        feed = {session.get_inputs()[0].name: tensor}
        return lambda: session.run(None, feed)
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=model.read(), num_threads=1)
    with native_stderr_silenced():
        interpreter.allocate_tensors()
    index = interpreter.get_input_details()[0]["index"]
    scaled = tensor * 2 - 1  # BlazeFace reads -1..1

    def invoke() -> None:
        interpreter.set_tensor(index, scaled)
        interpreter.invoke()

    return invoke


def sgemm_gflops(rounds: int) -> float:
    """This core's float32 matrix-multiply speed with one BLAS thread."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - numbers then include BLAS threads on one core
        threadpool_limits = None
    a = np.random.default_rng(1).random((1024, 1024), dtype=np.float32)
    if threadpool_limits is None:
        ms = cpu_ms(lambda: a @ a, rounds)
    else:
        with threadpool_limits(limits=1):
            ms = cpu_ms(lambda: a @ a, rounds)
    return round(2 * 1024**3 / (ms / 1000) / 1e9, 1)


def model_floor(rounds: int = 20) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    edit_ms = 0.0
    for name, (model, shape, gflop, per_edit, runtime) in MODELS.items():
        ms = cpu_ms(runner(model, shape, runtime), rounds)
        rows[name] = {"cpu_ms": ms, "gflop": gflop, "gflop_per_s": round(gflop / ms * 1000, 1)}
        rows[name]["runs_per_edit_screen"] = per_edit
        edit_ms += ms * per_edit
    return {
        "models": rows,
        "edit_screen_models_only_cpu_ms": round(edit_ms, 1),
        "sgemm_gflop_per_s_one_core": sgemm_gflops(rounds),
    }


def report(floor: dict[str, Any]) -> None:
    print("model runs alone, one core (the floor under any screen):")
    for name, row in floor["models"].items():
        print(
            f"  {name:<26} {row['cpu_ms']:>6.1f} ms cpu  {row['gflop']:.3f} GFLOP "
            f"= {row['gflop_per_s']:>5.1f} GFLOP/s  x{row['runs_per_edit_screen']} per edit"
        )
    print(
        f"  models alone for a 1-face edit screen: {floor['edit_screen_models_only_cpu_ms']} ms; "
        f"this core's SGEMM: {floor['sgemm_gflop_per_s_one_core']} GFLOP/s"
    )


def pin_to_one_core() -> None:
    """Every thread of this process (the detector pool too) on one core."""
    core = {min(os.sched_getaffinity(0))}
    for task in Path("/proc/self/task").iterdir():
        os.sched_setaffinity(int(task.name), core)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--size", type=int, default=1024, help="the edit's long side in px")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    pin_to_one_core()
    flush_denormals()  # as in every detector thread (consentgate.threads)
    result = {"models": model_floor(args.rounds)}
    report(result["models"])
    engine = build_engine()  # its pool's threads start pinned too
    try:
        pin_to_one_core()
        result["screens"] = screen_floor(engine, edit_pair(args.size), unseen, args.rounds)
    finally:
        engine.close()
    report_screens(result["screens"])
    result["load_average"] = {"start": load, "end": os.getloadavg()[0]}
    print(f"machine load average: {load:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
