"""The semantic detector's encoders, each behind a per-process batcher.

Why: concurrent screens each embed one prompt, and an encoder embeds a dozen
prompts in little more than the time of one (see ``batcher``). A screen
announces itself to both batchers when it starts (``arrival``), so that a
batcher waits for the screens already reading their prompt (the lexicon and
n-gram cues come first) but never for a screen that is not coming; e5's second
opinions and its reading of text USE cannot read are batched the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from consentgate.detectors.batcher import Batcher
from consentgate.text.encoders import SentenceEncoder

# (encoder key, texts) -> L2-normalised embeddings, one row per text
Embed = Callable[[str, list[str]], NDArray[np.float32]]


@dataclass(frozen=True)
class BatchSettings:
    """How long a batch waits for more prompts, and how many it takes at most."""

    wait_s: float = 0.002
    max_items: int = 32


class EncoderBatches:
    """One batcher per encoder key, shared by every screen of the process.

    ``encoders`` in the order a screen uses them (``use``, then ``e5``): a screen
    that asks one encoder will not ask any encoder before it, so it stops being
    awaited there (else the USE batch would wait for a screen that waits in e5's
    batch, which waits for the screens in USE's).
    """

    def __init__(self, encoders: Mapping[str, SentenceEncoder], settings: BatchSettings) -> None:
        self.settings = settings
        self._order = list(encoders)
        self._dims = {key: encoder.dim for key, encoder in encoders.items()}
        self.batchers: dict[str, Batcher[str, NDArray[np.float32]]] = {
            key: Batcher(
                _rows(encoder),
                wait_s=settings.wait_s,
                max_items=settings.max_items,
                name=encoder.name,
            )
            for key, encoder in encoders.items()
        }

    @contextmanager
    def arrival(self, deadline: float | None) -> Iterator[Embed]:
        """For one screen: an ``Embed`` whose calls join the batches, waiting at most
        until ``deadline`` (then ``DeadlineExceeded``)."""
        for batcher in self.batchers.values():
            batcher.expect()
        pending = set(self.batchers)

        def embed(key: str, texts: list[str]) -> NDArray[np.float32]:
            for earlier in self._order[: self._order.index(key)]:
                if earlier in pending:
                    pending.discard(earlier)
                    self.batchers[earlier].unexpect()
            expected = key in pending
            pending.discard(key)
            rows = self.batchers[key].submit(texts, deadline=deadline, expected=expected)
            if not rows:
                return np.zeros((0, self._dims[key]), np.float32)
            return np.stack(rows)

        try:
            yield embed
        finally:
            for key in pending:
                self.batchers[key].unexpect()


def _rows(encoder: SentenceEncoder) -> Callable[[list[str]], list[NDArray[np.float32]]]:
    def work(texts: list[str]) -> list[NDArray[np.float32]]:
        return list(encoder.embed(texts))

    return work


def direct(encoders: Mapping[str, SentenceEncoder]) -> Embed:
    """An ``Embed`` that calls the encoders in the caller's thread (no batching)."""

    def embed(key: str, texts: list[str]) -> NDArray[np.float32]:
        return encoders[key].embed(texts)

    return embed
