"""Gateway overhead and throughput beside a direct call and ``/v1/screen``, in one run.

Starts three processes on loopback, each with a fresh SQLite store: the example
fake upstream (``examples/fake_upstream.py``, a drawn landscape for every
request), ``consentgate proxy`` in front of it, and ``consentgate serve`` (one
worker). Then, in rounds, it loads three targets with the same prompts:

- ``direct``: ``POST /v1/images/generations`` straight to the upstream;
- ``gateway``: the same request through the gateway, which screens the prompt,
  forwards, screens the returned image as an output and records both decisions;
- ``screen``: ``POST /v1/screen`` of the prompt with the upstream's picture as
  the output image (one recorded screen: what a platform calls after generating).

Every request has its own prompt (``"a red bicycle, study 1234"``), so no
screen is answered from a memory of an earlier request; within one gateway
request, the screen after generation reuses the prompt's findings from the
screen before it, as it does in production. The upstream returns the same
picture every time, so the image models' findings for it are remembered after
the first request (a picture never seen costs what ``bench/image_speed.py``
shows) on both the gateway and ``/v1/screen``.

Two phases per round, each target in turn (the order rotates between rounds):

- **latency**: one caller at a time, so the difference between the gateway's
  and the direct call's percentiles is the time the gateway adds to a request,
  not time spent queueing behind other requests;
- **throughput**: ``--concurrency`` callers, each sending its next request as
  soon as its answer comes: requests per second at saturation.

Beside each run, the CPU time the target's own processes used (Linux ``/proc``),
per request: on a shared machine this moves less than wall-clock figures do,
and it says where the gateway's cost goes. Figures are the median over rounds.
The load comes from ``wrk`` when it is installed (Debian package ``wrk``), else
from one Python process per caller; the report says which (``bench/loadgen.py``).

    .venv/bin/python bench/gateway.py                      # 3 rounds of 3 s per target and phase
    .venv/bin/python bench/gateway.py --rounds 5 --seconds 5 --concurrency 8
    .venv/bin/python bench/gateway.py --client processes   # without wrk

Results are printed and written to ``bench/out/gateway.json``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # bench/ is not a package

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("consentgate"))
PROMPTS = ("a watercolour of a lighthouse at dusk", "a cat wearing a tiny hat", "a red bicycle")
TARGET_OVERHEAD_P99_MS = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_cpu_s(group: int) -> float:
    """User + system CPU seconds of the live processes in process group ``group``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # pgrp; fields[0] is the state (field 3)
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def process(args: list[str], probe: str, env: dict[str, str]) -> Iterator[int]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{args[0]} exited with {proc.returncode}")
            try:
                if httpx.get(probe, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{args[0]} did not start")
            time.sleep(0.25)
        yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def screen_key(env: dict[str, str]) -> str:
    made = subprocess.run(
        [EXE, "keys", "create", "--scope", "screen", "--rate-limit", "0", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(made.stdout)["key"])


def median_side(sides: list[loadgen.Side], cpu: list[float]) -> dict[str, float | int | str]:
    return {
        "target": sides[0].target,
        "cpu_ms_per_request": statistics.median(cpu),
        "callers": sides[0].callers,
        "requests": sum(s.requests for s in sides),
        "errors": sum(s.errors for s in sides),
        "throughput_per_s": statistics.median(s.throughput_per_s for s in sides),
        "p50_ms": statistics.median(s.p50_ms for s in sides),
        "p99_ms": statistics.median(s.p99_ms for s in sides),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per target, phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="callers for throughput")
    parser.add_argument("--client", choices=["auto", "wrk", "processes"], default="auto")
    parser.add_argument("--detectors", help="CONSENTGATE_DETECTORS for both (all when unset)")
    options = parser.parse_args()
    client = options.client
    if client == "auto":
        client = "wrk" if loadgen.wrk_available() else "processes"
    if client == "wrk" and not loadgen.wrk_available():
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --client processes")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    if options.detectors:
        env["CONSENTGATE_DETECTORS"] = options.detectors
    up, gw, sv = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as running:
        screen_env = {**env, "CONSENTGATE_DATABASE_URL": f"sqlite:///{tmp}/screen.db"}
        key = screen_key(screen_env)
        upstream = [sys.executable, str(ROOT / "examples" / "fake_upstream.py"), "--port", str(up)]
        gateway = [EXE, "proxy", "--upstream", f"http://127.0.0.1:{up}/v1", "--port", str(gw)]
        gateway += ["--database-url", f"sqlite:///{tmp}/gateway.db", "--log-level", "warning"]
        serve = [EXE, "serve", "--port", str(sv), "--log-level", "warning"]
        groups = {
            "direct": running.enter_context(
                process(upstream, f"http://127.0.0.1:{up}/files/landscape.png", env)
            ),
            "gateway": running.enter_context(
                process(gateway, f"http://127.0.0.1:{gw}/healthz", env)
            ),
            "screen": running.enter_context(
                process(serve, f"http://127.0.0.1:{sv}/readyz", screen_env)
            ),
        }
        picture = base64.b64encode(
            httpx.get(f"http://127.0.0.1:{up}/files/landscape.png").content
        ).decode()
        generation = '{"prompt": "@@PROMPT@@", "n": 1}'
        screened = json.dumps({"mode": "generate", "prompt": "@@PROMPT@@", "output_image": picture})
        json_type = {"Content-Type": "application/json"}
        targets = {
            "direct": (
                f"http://127.0.0.1:{up}/v1/images/generations",
                generation,
                {**json_type, "Authorization": "Bearer sk-bench"},
            ),
            "gateway": (
                f"http://127.0.0.1:{gw}/v1/images/generations",
                generation,
                {**json_type, "Authorization": "Bearer sk-bench"},
            ),
            "screen": (
                f"http://127.0.0.1:{sv}/v1/screen",
                screened,
                {**json_type, "Authorization": f"Bearer {key}"},
            ),
        }
        for url, template, headers in targets.values():  # warm-up, not measured
            loadgen.run(client, url, "warm-up", 1, 1.0, template, PROMPTS, headers)
        runs: dict[str, dict[str, list[loadgen.Side]]] = {"latency": {}, "throughput": {}}
        cpu: dict[str, dict[str, list[float]]] = {"latency": {}, "throughput": {}}
        names = list(targets)
        for round_ in range(options.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for phase, callers in (("latency", 1), ("throughput", options.concurrency)):
                for name in order:
                    url, template, headers = targets[name]
                    used = group_cpu_s(groups[name])
                    side = loadgen.run(
                        client, url, name, callers, options.seconds, template, PROMPTS, headers
                    )
                    used = group_cpu_s(groups[name]) - used
                    runs[phase].setdefault(name, []).append(side)
                    cpu[phase].setdefault(name, []).append(used * 1000 / max(1, side.requests))
    report: dict[str, object] = {
        "load_generator": loadgen.describe(client),
        "rounds": options.rounds,
        "seconds": options.seconds,
        "concurrency": options.concurrency,
        "detectors": options.detectors or "all installed",
        "phases": {
            phase: {name: median_side(sides, cpu[phase][name]) for name, sides in by_target.items()}
            for phase, by_target in runs.items()
        },
        "every_run": {
            phase: {name: [asdict(s) for s in sides] for name, sides in by_target.items()}
            for phase, by_target in runs.items()
        },
    }
    latency = report["phases"]["latency"]  # type: ignore[index]
    load = report["phases"]["throughput"]  # type: ignore[index]
    overhead_p50 = latency["gateway"]["p50_ms"] - latency["direct"]["p50_ms"]
    overhead_p99 = latency["gateway"]["p99_ms"] - latency["direct"]["p99_ms"]
    ratio = load["gateway"]["throughput_per_s"] / load["screen"]["throughput_per_s"]
    report.update(
        overhead_p50_ms=overhead_p50,
        overhead_p99_ms=overhead_p99,
        gateway_over_screen_throughput=ratio,
    )
    print(f"load generator: {report['load_generator']}")
    print(f"median of {options.rounds} rounds of {options.seconds:g} s per target and phase")
    for phase, figures in report["phases"].items():  # type: ignore[attr-defined]
        for side in figures.values():
            print(
                f"{phase:10} {side['target']:8} {side['callers']:2} callers "
                f"{side['throughput_per_s']:8.1f} req/s  p50 {side['p50_ms']:7.2f} ms  "
                f"p99 {side['p99_ms']:7.2f} ms  CPU {side['cpu_ms_per_request']:5.2f} ms/req  "
                f"errors {side['errors']}/{side['requests']}"
            )
    met = "met" if overhead_p99 <= TARGET_OVERHEAD_P99_MS else "NOT MET"
    print(
        f"gateway overhead, one caller: p50 {overhead_p50:.2f} ms, p99 {overhead_p99:.2f} ms "
        f"(target p99 <= {TARGET_OVERHEAD_P99_MS:g} ms: {met})"
    )
    met = "met" if ratio >= 1.0 else "NOT MET"
    print(
        f"gateway / /v1/screen requests per second, {options.concurrency} callers: "
        f"{ratio:.2f} (target >= 1: {met})"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "gateway.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
