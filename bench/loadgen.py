"""Closed-loop HTTP load that is not the bottleneck: wrk when installed, else client processes.

Each caller sends one request, waits for the answer, and sends the next, for
``seconds``. Every request has its own body (``body(i)`` for a distinct ``i``),
so nothing is answered from a memory of the previous request. ``wrk`` (Debian
package ``wrk``) is C and needs a few per cent of one core for thousands of
requests per second; without it, each caller is its own Python process with a
keep-alive ``http.client`` connection, so the callers do not share one
interpreter's lock with each other or with the bench.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

Body = Callable[[int], bytes]


@dataclass
class Side:
    target: str
    callers: int
    requests: int
    errors: int
    throughput_per_s: float
    p50_ms: float
    p99_ms: float


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def describe(client: str) -> str:
    if client == "wrk":
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        version = (done.stdout or done.stderr).split(" [", 1)[0].strip()
        return f"{version or 'wrk'}, one thread per caller (at most 4 threads)"
    return "one Python process per caller (http.client, keep-alive)"


# --- wrk -------------------------------------------------------------------------

WRK_SCRIPT = """
local template = %(template)s
local headers = %(headers)s
local n = 0
local offset = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 10000000)
  table.insert(threads, thread)
end

function init(args)
  offset = tonumber(wrk.thread:get("offset")) or 0
end

request = function()
  n = n + 1
  local i = offset + n
  local body = template:gsub("@@PROMPT@@", PROMPTS[i %% #PROMPTS + 1] .. ", study " .. i)
  return wrk.format("POST", nil, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT {\\"requests\\": %%d, \\"errors\\": %%d, \\"duration_us\\": %%d, " ..
    "\\"p50_us\\": %%d, \\"p99_us\\": %%d}\\n",
    summary.requests, e.connect + e.read + e.write + e.timeout + e.status,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(
    url: str,
    target: str,
    callers: int,
    seconds: float,
    template: str,
    prompts: tuple[str, ...],
    headers: dict[str, str],
) -> Side:
    """``template`` is the JSON body with ``@@PROMPT@@`` where the prompt goes."""
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    script = "PROMPTS = {" + ", ".join(_lua_string(p) for p in prompts) + "}\n"
    script += WRK_SCRIPT % {"template": _lua_string(template), "headers": lua_headers}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    threads = max(1, min(4, callers))
    args = ["wrk", "-t", str(threads), "-c", str(callers), "-d", f"{seconds:g}s"]
    args += ["--timeout", "30s", "-s", handle.name, url]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    Path(handle.name).unlink()
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")
    got = json.loads(line.removeprefix("WRK-RESULT "))
    return Side(
        target,
        callers,
        got["requests"],
        got["errors"],
        got["requests"] / (got["duration_us"] / 1e6),
        got["p50_us"] / 1000,
        got["p99_us"] / 1000,
    )


# --- client processes ------------------------------------------------------------


def _caller(
    url: str, template: str, prompts: tuple[str, ...], headers: dict[str, str], first: int,
    seconds: float,
) -> tuple[list[float], int]:  # fmt: skip
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    i = first
    while time.perf_counter() < deadline:
        i += 1
        prompt = json.dumps(f"{prompts[i % len(prompts)]}, study {i}")[1:-1]
        body = template.replace("@@PROMPT@@", prompt).encode()
        t0 = time.perf_counter()
        connection.request("POST", parts.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - t0) * 1000)
        errors += response.status != 200
    connection.close()
    return latencies, errors


def run_processes(
    url: str,
    target: str,
    callers: int,
    seconds: float,
    template: str,
    prompts: tuple[str, ...],
    headers: dict[str, str],
) -> Side:
    with ProcessPoolExecutor(max_workers=callers) as pool:
        futures = [
            pool.submit(_caller, url, template, prompts, headers, n * 10_000_000, seconds)
            for n in range(callers)
        ]
        results = [f.result() for f in futures]
    latencies = sorted(x for found, _ in results for x in found)
    errors = sum(e for _, e in results)
    if not latencies:
        raise SystemExit(f"no answers from {url}")

    def cut(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return Side(
        target, callers, len(latencies), errors, len(latencies) / seconds, cut(0.5), cut(0.99)
    )


def run(client: str, *args: object, **kwargs: object) -> Side:
    runner = run_wrk if client == "wrk" else run_processes
    return runner(*args, **kwargs)  # type: ignore[arg-type]
