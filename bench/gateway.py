"""Gateway overhead and throughput beside a direct call to the same upstream, in one run.

Starts the example fake upstream (``examples/fake_upstream.py``, a drawn
landscape for every request) and ``consentgate proxy`` in front of it, each a
subprocess on loopback with a fresh SQLite store, then runs the same load
twice: straight to the upstream, and through the gateway. Each call is an
ordinary image generation (``POST /v1/images/generations``), so the gateway
screens the prompt, forwards, and screens the returned image as an output,
recording two decisions. The difference of the two latency percentiles is the
gateway's overhead; every answer must be 200. For scale, the same run also
loads ``POST /v1/screen`` of ``consentgate serve`` (one worker) with the same
prompts and the upstream's picture as the output: one screen where the
gateway does two.

    .venv/bin/python bench/gateway.py                        # 5 s per side, 4 callers
    .venv/bin/python bench/gateway.py --seconds 10 --concurrency 8
    .venv/bin/python bench/gateway.py --detectors prompt_lexicon,hash_match

Results are printed and written to ``bench/out/gateway.json``.
"""

from __future__ import annotations

import argparse
import asyncio
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EXE = str(Path(sys.executable).with_name("consentgate"))
PROMPTS = ("a watercolour of a lighthouse at dusk", "a cat wearing a tiny hat", "a red bicycle")


@dataclass
class Side:
    target: str
    requests: int
    errors: int
    throughput_per_s: float
    p50_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], probe: str, env: dict[str, str]) -> Iterator[None]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{args[0]} exited with {proc.returncode}")
            try:
                httpx.get(probe, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{args[0]} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def generation(i: int) -> dict[str, object]:
    return {"prompt": PROMPTS[i % len(PROMPTS)], "n": 1}


async def load(
    url: str,
    target: str,
    concurrency: int,
    seconds: float,
    body_of: Callable[[int], dict[str, object]] = generation,
    key: str = "sk-bench",
) -> Side:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def caller(n: int) -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(limit=1)
        headers = {"Authorization": f"Bearer {key}"}
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
            i = n
            while time.perf_counter() < deadline:
                body = body_of(i)
                i += 1
                t0 = time.perf_counter()
                async with session.post(url, json=body) as response:
                    await response.read()
                    errors += response.status != 200
                latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return Side(target, len(latencies), errors, len(latencies) / elapsed, cuts[49], cuts[98])


def screen_side(env: dict[str, str], tmp: str, picture: str, options: argparse.Namespace) -> Side:
    """``POST /v1/screen`` with the prompt and the upstream's picture as the output."""
    env = {**env, "CONSENTGATE_DATABASE_URL": f"sqlite:///{tmp}/screen.db"}
    made = subprocess.run(
        [EXE, "keys", "create", "--scope", "screen", "--rate-limit", "0", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(made.stdout)["key"]
    port = free_port()
    serve = [EXE, "serve", "--port", str(port), "--log-level", "warning"]
    with process(serve, f"http://127.0.0.1:{port}/healthz", env):
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while httpx.get(url + "/readyz", timeout=2).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("serve did not become ready")
            time.sleep(0.25)

        def body(i: int) -> dict[str, object]:
            return {
                "mode": "generate",
                "prompt": PROMPTS[i % len(PROMPTS)],
                "output_image": picture,
            }

        asyncio.run(load(url + "/v1/screen", "warm-up", 1, 1.0, body, key))
        return asyncio.run(
            load(url + "/v1/screen", "screen", options.concurrency, options.seconds, body, key)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--detectors", help="CONSENTGATE_DETECTORS for the gateway (all when unset)"
    )
    options = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    if options.detectors:
        env["CONSENTGATE_DETECTORS"] = options.detectors
    up, gw = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        store = f"sqlite:///{tmp}/bench.db"
        upstream = [sys.executable, str(ROOT / "examples" / "fake_upstream.py"), "--port", str(up)]
        gateway = [EXE, "proxy", "--upstream", f"http://127.0.0.1:{up}/v1", "--port", str(gw)]
        gateway += ["--database-url", store, "--log-level", "warning"]
        with (
            process(upstream, f"http://127.0.0.1:{up}/files/landscape.png", env),
            process(gateway, f"http://127.0.0.1:{gw}/healthz", env),
        ):
            path = "/v1/images/generations"
            # A short warm-up of each side, then the measured runs.
            asyncio.run(load(f"http://127.0.0.1:{gw}{path}", "warm-up", 1, 1.0))
            picture = base64.b64encode(
                httpx.get(f"http://127.0.0.1:{up}/files/landscape.png").content
            ).decode()
            direct = asyncio.run(
                load(f"http://127.0.0.1:{up}{path}", "direct", options.concurrency, options.seconds)
            )
            proxied = asyncio.run(
                load(
                    f"http://127.0.0.1:{gw}{path}", "gateway", options.concurrency, options.seconds
                )
            )
        screen = screen_side(env, tmp, picture, options)
    report = {
        "concurrency": options.concurrency,
        "seconds": options.seconds,
        "detectors": options.detectors or "all installed",
        "direct": asdict(direct),
        "gateway": asdict(proxied),
        "screen": asdict(screen),
        "overhead_p50_ms": proxied.p50_ms - direct.p50_ms,
        "overhead_p99_ms": proxied.p99_ms - direct.p99_ms,
    }
    for side in (direct, proxied, screen):
        print(
            f"{side.target:8} {side.throughput_per_s:8.1f} req/s  p50 {side.p50_ms:7.1f} ms  "
            f"p99 {side.p99_ms:7.1f} ms  errors {side.errors}/{side.requests}"
        )
    print(
        f"overhead p50 {report['overhead_p50_ms']:.1f} ms, p99 {report['overhead_p99_ms']:.1f} ms"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "gateway.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
