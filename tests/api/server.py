"""``consentgate serve`` in a subprocess, for tests that need real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

EXE = str(Path(sys.executable).with_name("consentgate"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=120)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """A light detector set (the hash matcher has no model) keeps start-up fast."""
    return {
        **os.environ,
        "CONSENTGATE_DATABASE_URL": database_url,
        "CONSENTGATE_DETECTORS": "hash_match",
        **extra,
    }


@contextmanager
def serving(env: dict[str, str], *args: str, timeout: float = 90) -> Iterator[str]:
    with serving_process(env, *args, timeout=timeout) as (url, _proc):
        yield url


@contextmanager
def serving_process(
    env: dict[str, str], *args: str, timeout: float = 90
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As ``serving``, with the process, for tests that kill it (``os.killpg``)."""
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--log-level", "warning", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url, timeout, lambda: proc.stderr.read() if proc.stderr else "")
        yield url, proc
    finally:
        stop(proc)


def wait_ready(
    proc: subprocess.Popen[bytes], url: str, timeout: float, output: Callable[[], object]
) -> None:
    """Until ``/readyz`` answers 200; AssertionError (with ``output()``) if serve exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {output()!s}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("serve did not become ready")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, then SIGKILL after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
