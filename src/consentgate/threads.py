"""Every model and matrix product of a screen runs on one thread, and flushes denormals.

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

Denormals: a float32 too small for the normal range (under about 1e-38) is
computed by the CPU in microcode, a hundred times slower than any other. The
age network's activations on real face chips are full of them: its eight
chips took 50 ms of CPU, and 9 ms with denormals read and written as zero
(random inputs of the same size: 30 ms; all zeros: 10 ms). Zero in their place
changes nothing a model says (the age estimates and NudeNet's parts on the
sample photos are bit for bit the same). Inference libraries flush them in
their own thread pools; ours run in the calling thread, so
``flush_denormals`` sets the flags there (SSE's FTZ and DAZ on x86-64, FPCR.FZ
on AArch64): every ONNX Runtime session calls it before a run
(``detectors.vision.onnx``) and the engine's detector threads start with it.
"""

from __future__ import annotations

import ctypes
import platform
import sys
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


_MXCSR_FTZ_DAZ = 0x8040  # x86-64 SSE control: flush-to-zero (bit 15), denormals-are-zero (bit 6)
_FPCR_FZ = 1 << 24  # AArch64 floating-point control: flush-to-zero


def _flags() -> tuple[int, int] | None:
    """(word of glibc's fenv_t that holds the control flags, the bits to set), or None
    where this is not Linux on x86-64 or AArch64."""
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux"):
        return None
    if machine in ("x86_64", "amd64"):
        return 7, _MXCSR_FTZ_DAZ  # __mxcsr, after the x87 environment (32 bytes in all)
    if machine == "aarch64":
        return 0, _FPCR_FZ  # __fpcr (8 bytes in all)
    return None


_FLAGS = _flags()
_LIBC = ctypes.CDLL(None) if _FLAGS is not None else None


def flush_denormals() -> None:
    """Denormal floats read and written as zero in the calling thread (Linux on x86-64 or
    AArch64; elsewhere nothing changes). Checked on every call, about a microsecond:
    libraries may reset the flags (ONNX Runtime does, in the thread that builds a session)."""
    if _FLAGS is None or _LIBC is None:
        return
    word, bits = _FLAGS
    env = (ctypes.c_uint32 * 8)()
    if _LIBC.fegetenv(env) != 0 or env[word] & bits == bits:
        return
    env[word] |= bits
    _LIBC.fesetenv(env)
