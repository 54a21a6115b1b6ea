"""The turns of conversations, each read once per process.

Why: a conversation sent turn by turn repeats its history in every request, so
the same turn comes again and again. A bounded LRU of turn readings, keyed by the
turn's normalised text (every reading of it, so two disguises of one text are two
entries), makes a conversation of n turns cost n readings, not n²/2. Of a long
turn only the head and the tail are read (``TURN_CHARS``): conversational steps
are short, and every turn was screened whole when it was itself the prompt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from consentgate.conversation.readings import TurnReading

TURN_CHARS = 500  # of a longer turn, the first and the last half of this are read
CACHE_SIZE = 4_096  # turns remembered per process (each at most a few kilobytes)


def turn_slice(text: str) -> str:
    """The part of a turn that is read: all of it, or its head and its tail."""
    if len(text) <= TURN_CHARS:
        return text
    half = TURN_CHARS // 2
    return f"{text[:half]}\n{text[-half:]}"


class TurnCache:
    """A bounded, thread-safe LRU of turn readings by normalised text."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[tuple[str, ...], TurnReading] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> TurnReading | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._data.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], reading: TurnReading) -> None:
        with self._lock:
            self._data[key] = reading
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
