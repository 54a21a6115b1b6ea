"""Silence a native library's start-up chatter on stderr.

LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." from
C++ when a model is first prepared, which would land in every CLI command's
output. File descriptor 2 is pointed at /dev/null for that one call only,
at model load time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
