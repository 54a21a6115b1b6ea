"""Several workers on one socket, forked from a parent that has loaded the models.

Why fork rather than uvicorn's own ``--workers``: uvicorn spawns each worker as
a fresh interpreter, which imports everything and loads every model again
(seconds per worker, and a private copy of every weight in each). ``serve``
instead loads and warms the models once, in its own process, then forks: each
worker starts with them loaded, and the weights stay one copy in memory,
shared page by page, since no worker writes to them.

Why that is safe: the parent forks before it starts any thread of its own.
The models are loaded in its main thread with one thread each (ONNX Runtime
sessions with one intra-op thread, YuNet's and e5's OpenMP set to one), and
everything with a thread or a connection (the store's pool, the hash index
and its refresher, the detector pool, the webhook worker) is built in each
worker after the fork, by the ASGI app factory.

The parent supervises: a worker that dies is replaced by a new fork (it
starts in milliseconds, its models already loaded); a worker that could not
start serving at all stops the service, since a broken app would fail the
same way each time; SIGINT or SIGTERM stops every worker (each finishes its
requests in flight) and then the parent. A worker whose parent dies gets
SIGTERM from the kernel, so no worker outlives ``serve``.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.context import ForkProcess
from types import FrameType

import uvicorn

log = logging.getLogger("consentgate.serve")

STARTUP_FAILURE = 3  # a worker's exit status when its server never started (as uvicorn's)
PR_SET_PDEATHSIG = 1
RESTART_PAUSE_S = 1.0  # at most one replacement per worker slot per second


def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGTERM when the parent exits (Linux), and check it is still there."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # it died between fork and prctl
        os._exit(0)


def _serve(config: uvicorn.Config, sock: socket.socket, parent: int) -> None:
    """One worker: the parent's signal handlers undone, then uvicorn's server on ``sock``."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent(parent)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Prefork:
    """``workers`` forks of this process, each serving ``config``'s app on one shared socket."""

    def __init__(self, config: uvicorn.Config, workers: int, *, grace_s: float = 10.0) -> None:
        self.config = config
        self.count = workers
        self.grace_s = grace_s
        self.failed = False
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("fork")
        self._workers: list[ForkProcess] = []
        self._started: list[float] = []

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM (or a worker that cannot start); then stop all."""
        sock = self.config.bind_socket()
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for _ in range(self.count):
                self._workers.append(self._fork(sock))
                self._started.append(time.monotonic())
            while not self._stop.wait(0.2):
                self._replace_dead(sock)
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            sock.close()

    def stop(self) -> None:
        self._stop.set()

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.pid is not None]

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stop.set()

    def _fork(self, sock: socket.socket) -> ForkProcess:
        worker = self._context.Process(
            target=_serve, args=(self.config, sock, os.getpid()), name="consentgate-worker"
        )
        worker.start()
        return worker

    def _replace_dead(self, sock: socket.socket) -> None:
        for slot, worker in enumerate(self._workers):
            if worker.is_alive():
                continue
            if worker.exitcode == STARTUP_FAILURE:
                log.error("a worker could not start serving; stopping")
                self.failed = True
                self._stop.set()
                return
            if time.monotonic() - self._started[slot] < RESTART_PAUSE_S:
                continue  # a worker that keeps dying is replaced once a second at most
            log.warning("worker %s exited (%s); starting another", worker.pid, worker.exitcode)
            self._workers[slot] = self._fork(sock)
            self._started[slot] = time.monotonic()

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + self.grace_s + 5
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join(5)
