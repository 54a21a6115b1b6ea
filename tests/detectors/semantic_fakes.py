"""Fakes for the semantic prompt detector: word-keyed encoders and a hand-made model.

The fake encoder puts a prompt on three axes ("forbidden", "maybe", a constant),
and the fake model's heads read them, so a test knows each label's score
exactly: "forbidden" (or "nude") scores ~1 (block), "maybe" 0.5 (the review band), anything
else ~0.02 (nothing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from consentgate.detectors.prompt_semantic import CueReader
from consentgate.detectors.semantic_features import FEATURES, Cues
from consentgate.detectors.semantic_model import SemanticModel
from consentgate.records import ModelRef
from consentgate.text.normalised import NormalisedText

LABELS = ("sexual_explicit", "sexualising_edit", "minor", "real_person")
DIM = 8
UPPER, LOWER = 0.9, 0.3


class FakeEncoder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.dim = DIM
        self.calls: list[list[str]] = []

    @property
    def model(self) -> ModelRef:
        return ModelRef(id=f"fake-{self.name}", revision=f"sha256:{self.name:0>64}")

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), DIM), np.float32)
        for i, text in enumerate(texts):
            out[i, 0] = "forbidden" in text or "nude" in text
            out[i, 1] = "maybe" in text
            out[i, 7] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class NoCues(CueReader):
    """Cue reader whose lexicon finds ``sexual_explicit`` in "forbidden" or "nude" text,
    unless ``silent`` (the fake fusion's weights read only the embedding, so the
    lexicon cue decides nothing but whether a sexual signal may block)."""

    def __init__(self, silent: bool = False) -> None:
        self._silent = silent

    def read(self, text: NormalisedText, check: Callable[[], None]) -> Cues:
        words = ("forbidden", "nude")
        found = not self._silent and any(w in text.text for w in words)
        return Cues(frozenset({"sexual_explicit"}) if found else frozenset(), {})


def fake_model(fast: FakeEncoder, wide: FakeEncoder) -> SemanticModel:
    w = np.zeros((len(LABELS), DIM), np.float32)
    w[:, 0], w[:, 1], w[:, 7] = 20.0, 4.0, -4.0
    fuse_w = np.zeros((len(LABELS), len(FEATURES)))
    fuse_w[:, FEATURES.index("embedding")] = 1.0
    return SemanticModel(
        version="0.0.1",
        sha256="f" * 64,
        labels=LABELS,
        encoders={"use": fast.model, "e5": wide.model},
        heads={
            "use": (w, np.zeros(len(LABELS), np.float32)),
            "e5": (w, np.zeros(len(LABELS), np.float32)),
        },
        fuse_w=fuse_w,
        fuse_b=np.zeros(len(LABELS)),
        upper=np.full(len(LABELS), UPPER),
        lower=np.full(len(LABELS), LOWER),
        meta=json.loads("{}"),
    )
