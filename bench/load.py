"""Load benchmark of the HTTP service as `make run` starts it, with the prompt batcher on and off.

Starts ``consentgate serve`` with the defaults ``make run`` uses (one worker per
usable core, a fresh SQLite store in a temporary directory, no Redis) and a
``screen`` key without a rate limit, unless ``--url`` names a running server on
loopback. The load comes from wrk (C, epoll; ``apt-get install -y wrk``) with
``bench/load.lua``, which makes every request unique and keeps the decision id
of every 200 answer. Scenarios, each run for ``--duration`` seconds:

- ``healthz``: ``GET /healthz``, the framework's ceiling on this machine;
- ``prompt``: prompt screens, ordinary and harmful prompts mixed, each unique
  (a prompt of the list with a counter), 32 connections by default;
- ``image``: edit screens before generation: one of those prompts with a
  1024 px photo (scikit-image samples), unique bytes each time (a JPEG comment
  with a counter: the pixels are the same, nothing is remembered by digest).

Each reports throughput, p50/p99 latency, errors (non-200 answers and socket
errors: must be 0) and "recorded = answered": every decision id wrk was
answered with is in the store afterwards (requests still in flight when wrk
stops are recorded too, and counted apart), and the CPU time the server (every
worker) spent per request: on a machine shared with other work, throughput says
how much of the machine the server got, CPU per request what a request costs.
Then the server is restarted with
the prompt batcher off (``CONSENTGATE_BATCH_WAIT_MS=0``) and the scenarios run
again. wrk and the server share the machine: its threads cost the server some
CPU, so figures are a floor. Results: ``bench/out/load.json``.

    .venv/bin/python bench/load.py                    # both runs, 15 s per scenario
    .venv/bin/python bench/load.py --duration 5 --batcher on
    .venv/bin/python bench/load.py --url http://127.0.0.1:8080 --key $KEY \\
        --database-url sqlite:///var/consentgate.db   # a running server (no restart)
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://...  # its own server there
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from load_data import write_data
from load_server import Server, decision_ids

OUT = Path(__file__).parent / "out"
LUA = Path(__file__).parent / "load.lua"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SCENARIOS = ("healthz", "prompt", "image")


@dataclass
class Result:
    scenario: str
    batcher: str
    connections: int
    seconds: float
    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    throughput_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    answered: int | None = None  # 200 answers with a decision id
    recorded: int | None = None  # decisions the store gained during the scenario
    answered_not_recorded: int | None = None  # must be 0
    in_flight_at_stop: int | None = None  # recorded, but wrk had stopped waiting
    server_cpu_ms_per_request: float | None = None  # serve and its workers, all cores

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def wrk(url: str, scenario: str, connections: int, args: argparse.Namespace, data: Path) -> dict:
    """One wrk run; its summary (the Lua ``done`` line)."""
    for old in data.glob("ids.*"):
        old.unlink()
    cmd = [
        "wrk", f"-t{args.threads}", f"-c{connections}", f"-d{args.duration}s", "--timeout", "30s",
        "-s", str(LUA), url, "--", scenario, str(data),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary


def run_scenario(
    url: str, database_url: str | None, scenario: str, batcher: str, args: argparse.Namespace,
    data: Path, server: Server | None,
) -> Result:  # fmt: skip
    connections = args.image_connections if scenario == "image" else args.connections
    before = decision_ids(database_url) if database_url and scenario != "healthz" else None
    cpu_before = server.cpu_seconds() if server else 0.0
    s = wrk(url, scenario, connections, args, data)
    cpu = server.cpu_seconds() - cpu_before if server else None
    seconds = s["duration_us"] / 1e6
    errors = {k: int(s[k]) for k in ("connect", "read", "write", "status", "timeout") if s[k]}
    result = Result(
        scenario=scenario,
        batcher=batcher,
        connections=connections,
        seconds=round(seconds, 2),
        requests=int(s["requests"]),
        errors=errors,
        throughput_per_s=round(s["requests"] / seconds, 1),
        p50_ms=round(s["p50_us"] / 1000, 2),
        p99_ms=round(s["p99_us"] / 1000, 2),
    )
    if cpu is not None and s["requests"]:
        result.server_cpu_ms_per_request = round(cpu * 1000 / s["requests"], 2)
    if before is not None and database_url:
        answered = {i for f in data.glob("ids.*") for i in f.read_text().split()}
        recorded = settled(database_url) - before
        result.answered, result.recorded = len(answered), len(recorded)
        result.answered_not_recorded = len(answered - recorded)
        result.in_flight_at_stop = len(recorded - answered)
    return result


def settled(database_url: str, quiet_s: float = 1.0, limit_s: float = 30.0) -> set[str]:
    """The store's decision ids once no more arrive (requests in flight at wrk's stop)."""
    deadline = time.monotonic() + limit_s
    ids = decision_ids(database_url)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        again = decision_ids(database_url)
        if again == ids:
            break
        ids = again
    return ids


def render(r: Result) -> str:
    line = (
        f"{r.scenario:8s} batcher {r.batcher:3s} c={r.connections:<3d} "
        f"{r.throughput_per_s:9.1f}/s  p50 {r.p50_ms:8.2f} ms  p99 {r.p99_ms:8.2f} ms  "
        f"errors {r.error_count}"
    )
    if r.server_cpu_ms_per_request is not None:
        line += f"  server CPU {r.server_cpu_ms_per_request} ms/request"
    if r.answered is not None:
        line += (
            f"  answered {r.answered} recorded {r.recorded} "
            f"(missing {r.answered_not_recorded}, in flight at stop {r.in_flight_at_stop})"
        )
    return line


def started(server: Server, batcher: str) -> str:
    cold = server.cold_start_s
    store = server.database_url.split(":", 1)[0].split("+")[0]
    return (
        f"serve ({server.workers} workers, {store}, batcher {batcher}): first /readyz after "
        f"{cold['first_ready']} s, every worker ready after {cold['all_ready']} s"
    )


def checks(results: list[Result]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for r in results:
        name = f"{r.scenario} (batcher {r.batcher})"
        found[f"{name}: 0 errors"] = r.error_count == 0
        if r.answered_not_recorded is not None:
            found[f"{name}: every answered decision recorded"] = r.answered_not_recorded == 0
    by = {(r.scenario, r.batcher): r for r in results}
    prompt, healthz, image = (by.get((s, "on")) for s in ("prompt", "healthz", "image"))
    if prompt:
        found["prompt: >= 1,000/s"] = prompt.throughput_per_s >= 1000
        found["prompt: p99 <= 100 ms"] = prompt.p99_ms <= 100
        if healthz and healthz.throughput_per_s:
            found["prompt: >= 0.40 of /healthz"] = (
                prompt.throughput_per_s >= 0.4 * healthz.throughput_per_s
            )
    if image:
        found["image: >= 20/s"] = image.throughput_per_s >= 20
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--url", help="a running server on loopback (default: start one)")
    p.add_argument("--key", help="a screen key without a rate limit, for --url")
    p.add_argument(
        "--database-url",
        help="the store of --url, to count recorded decisions; without --url, the store the "
        "started server uses (default: a fresh SQLite file)",
    )
    p.add_argument("--workers", type=int, help="workers of the started server (default: serve's)")
    p.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    p.add_argument("--connections", type=int, default=32, help="for /healthz and prompts")
    p.add_argument("--image-connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--batcher", choices=("both", "on", "off"), default="both")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    scenarios = [s for s in args.scenarios.split(",") if s]
    if unknown := set(scenarios) - set(SCENARIOS):
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.url and urlparse(args.url).hostname not in LOOPBACK:
        raise SystemExit("the load bench only runs against a server on loopback")
    if args.url and not args.key:
        raise SystemExit("--url needs --key")
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    print(f"load generator: {wrk_version.split(' [')[0].strip()}, {args.threads} threads, "
          f"bench/load.lua (unique prompts and images)", flush=True)  # fmt: skip
    runs = ["on"] if args.url else (["on", "off"] if args.batcher == "both" else [args.batcher])
    results: list[Result] = []
    cold: dict[str, dict[str, float]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cg-load-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for batcher in runs:
            server = None
            if not args.url:
                server = Server(Path(tmp), args.workers, batcher == "on", args.database_url)
            try:
                if server is not None:
                    url, key, database_url = server.url, server.key, server.database_url
                    cold[batcher] = server.cold_start_s
                    print(started(server, batcher), flush=True)
                else:
                    url, key, database_url = args.url, args.key, args.database_url
                write_data(data, key, images="image" in scenarios)
                for scenario in scenarios:
                    result = run_scenario(url, database_url, scenario, batcher, args, data, server)
                    results.append(result)
                    print(render(result), flush=True)
            finally:
                if server is not None:
                    server.stop()
    report = {
        "machine": {"cpus": len(os.sched_getaffinity(0))},
        "load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "load_generator": "wrk " + wrk_version.split()[1] if wrk_version else "wrk",
        "duration_s": args.duration,
        "cold_start_s": cold,
        "results": [asdict(r) for r in results],
        "checks": checks(results),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(report, indent=2))
    print(f"machine load average {report['load_avg_1m']['before']:.2f} before, "
          f"{report['load_avg_1m']['after']:.2f} after (the bench adds about 2)")  # fmt: skip
    for name, ok in report["checks"].items():
        print(f"  {'met    ' if ok else 'NOT MET'}  {name}")
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
