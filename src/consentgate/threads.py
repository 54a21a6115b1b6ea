"""Every model and matrix product of a screen runs on one thread of the process.

Why: the engine runs a screen's detectors side by side on its pool, and
``serve`` runs one worker process per core, so parallelism is already there.
The ONNX Runtime sessions have one intra-op thread (``detectors.vision.onnx``),
YuNet's and e5's OpenMP pools one thread each; numpy's BLAS is the odd one out:
by default it starts a thread per core for every product, PDQ's two 64-row
products included. On a machine whose other cores are busy (every other
worker, every other detector) those threads wait for a core and spin: a PDQ
hash of a 512 px working copy measured 42 ms of CPU that way against 1 ms on
one thread. ``one_blas_thread`` sets numpy's BLAS to one thread for the whole
process (BLAS keeps one setting per process), once; the engine's default
wiring and the registry's warm-up call it, so the CLI, the Python API and each
service worker get it.
"""

from __future__ import annotations

import threading

from threadpoolctl import threadpool_limits

_lock = threading.Lock()
_done = False


def one_blas_thread() -> None:
    """numpy's BLAS (and any other BLAS loaded) on one thread in this process, from now on."""
    global _done
    with _lock:
        if not _done:
            threadpool_limits(limits=1, user_api="blas")
            _done = True
