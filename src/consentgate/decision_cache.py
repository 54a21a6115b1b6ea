"""A bounded per-process cache of decisions for repeated prompt-only requests.

Why: a viral image tool sends the same request many times ("put her in a
bikini" from a thousand accounts), and a prompt's decision is a function of
what the detectors read. The key holds everything that decides a prompt-only
screen: the normalised prompt (its canonical reading, its other readings and the
disguises found: two spellings that normalise alike are one key), the mode, the
caller's subject hint, adult mode, and each detector that read it (name,
version, model). The policy is not in the key: the cache belongs to one
engine and empties itself when the engine's policy object changes.

What is never cached (``ScreeningEngine`` decides):

* a request with an image: images are matched against banks that change, and
  a hash or face match is not a function of the prompt;
* a screen in which a detector failed or ran out of time (a transient outcome
  that the next screen should retry);
* a screen read by a detector that does not declare ``prompt_only`` (a
  plug-in may depend on the clock, a store or the sender).

A hit is returned as a new decision (its own id, time, request id and
``total_ms``; ``cached`` true; no detector timings), recorded by the service
like any other. Least recently used entries go first; ``hits`` and ``misses``
count lookups, and ``observe`` (the service's metrics) hears each one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.records import Decision, ScreenRequest, new_decision_id, utc_now


class DecisionCache:
    """At most ``size`` decisions by key, least recently used dropped first. Thread-safe."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.hits = 0
        self.misses = 0
        self.observe: Callable[[bool], None] | None = None  # told of each lookup (hit: True)
        self._owner: object = None  # what the entries were decided under (the policy)
        self._entries: OrderedDict[Hashable, Decision] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, owner: object) -> Decision | None:
        """The decision kept for ``key`` under ``owner`` (the engine's policy), or None."""
        with self._lock:
            if owner is not self._owner:
                self._entries.clear()
                self._owner = owner
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if self.observe is not None:
            self.observe(found is not None)
        return found

    def put(self, key: Hashable, owner: object, decision: Decision) -> None:
        with self._lock:
            if owner is not self._owner:
                return  # decided under a policy that has since been replaced
            self._entries[key] = decision
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


def cache_key(inp: ScreenInput, detectors: Sequence[Detector], adult_mode: bool) -> Hashable | None:
    """What decides a prompt-only screen read by ``detectors``, or None when its
    decision is not cached (an image in the request, a detector not prompt-only)."""
    request, text = inp.request, inp.text
    if text is None or request.source_image is not None or request.output_image is not None:
        return None
    if not all(d.prompt_only for d in detectors):
        return None
    readers = tuple((d.name, d.version, d.model) for d in detectors)
    reading = (text.text, text.variants, text.disguises)
    return reading, request.mode, request.subject, adult_mode, readers


def again(kept: Decision, request: ScreenRequest, started: float) -> Decision:
    """A cached decision as a new one: its own id, time and request id, no detector timings."""
    return kept.model_copy(
        update={
            "id": new_decision_id(),
            "request_id": request.id,
            "created": utc_now(),
            "timings": (),
            "total_ms": round((time.perf_counter() - started) * 1000, 3),
            "cached": True,
        }
    )
