"""Keep-alive connections pinned to each worker of a ``serve --workers N``, told apart via /proc.

uvicorn's workers share one listening socket, and each accepted connection is a
socket held by exactly one worker for as long as it stays open. Linux lists
every TCP connection with its socket inode (``/proc/net/tcp``, ``tcp6``) and
every process's open sockets (``/proc/<pid>/fd``), so a test (or a benchmark)
on the same machine can tell which worker holds its connection, and so which
one answers, without the server saying anything about itself.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def descendants(root: int) -> set[int]:
    """Every live process under ``root`` (uvicorn's workers and their helpers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from ``client_port``."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                return inode
    return None


def owner(pids: set[int], server_port: int, client_port: int) -> int | None:
    """Which of ``pids`` holds the server's end of the connection from ``client_port``."""
    inode = _socket_inode(server_port, client_port)
    if inode is None:
        return None
    wanted = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == wanted:
                    return pid
            except OSError:
                continue
    return None


@dataclass
class Pinned:
    """One keep-alive connection, and the worker process that holds it."""

    conn: http.client.HTTPConnection
    pid: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def close(self) -> None:
        self.conn.close()


def pin_workers(
    server_pid: int,
    port: int,
    workers: int,
    *,
    headers: dict[str, str] | None = None,
    ready_s: float = 90,
) -> dict[int, Pinned]:
    """One ready connection per worker (``/readyz`` answered 200 on it), by worker pid.

    Opens connections until every worker holds one; AssertionError if fewer
    than ``workers`` distinct processes answered within ``ready_s``.
    """
    pinned: dict[int, Pinned] = {}
    deadline = time.monotonic() + ready_s
    while len(pinned) < workers:
        assert time.monotonic() < deadline, f"reached {len(pinned)} of {workers} workers"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        client_port = conn.sock.getsockname()[1]
        candidate = Pinned(conn, headers=dict(headers or {}))
        candidate.call("GET", "/healthz")  # accepted and answered: a worker holds it now
        pid = owner(descendants(server_pid), port, client_port)
        if pid is None or pid in pinned:
            candidate.close()
            for one in pinned.values():  # keep them busy (uvicorn closes idle ones at 5 s)
                one.call("GET", "/healthz")
            time.sleep(0.02)  # a worker still starting has not begun to accept
            continue
        candidate.pid = pid
        pinned[pid] = candidate
    # Each worker loads on its own; asking all in turn also keeps every connection
    # busy (uvicorn closes one left idle for 5 s).
    while not all([one.call("GET", "/readyz")[0] == 200 for one in pinned.values()]):
        assert time.monotonic() < deadline, "the workers never all became ready"
        time.sleep(0.1)
    return pinned


def converge(
    pins: list[Pinned],
    path: str,
    body: Any,
    agrees: Callable[[Any], bool],
    *,
    since: float,
    patience: float,
) -> dict[int, float]:
    """Ask every worker in turn until each answers ``agrees``; seconds from ``since``
    (a ``time.perf_counter()``) to each worker's first agreeing answer, by pid.

    An index only moves forward, so a worker that agreed once is not asked again.
    AssertionError on an answer other than 200, or after ``patience`` seconds.
    """
    first: dict[int, float] = {}
    while len(first) < len(pins):
        for pin in pins:
            if pin.pid in first:
                continue
            status, answer = pin.call("POST", path, body)
            assert status == 200, answer
            if agrees(answer):
                first[pin.pid] = time.perf_counter() - since
        assert time.perf_counter() - since < patience, f"only {sorted(first)} agreed in time"
    return first
