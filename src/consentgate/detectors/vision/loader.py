"""Load each model once per process, on first use or at warm-up.

Why process-wide: the face model serves both the face and the age detector,
and a server that builds several engines (tests, reloads) must not hold
several copies of the same weights.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def shared(key: str, load: Callable[[], T]) -> T:
    """The object stored under ``key``, loading it (once) if needed."""
    with _lock:
        if key not in _loaded:
            _loaded[key] = load()
        return cast(T, _loaded[key])
