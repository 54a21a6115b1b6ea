"""Prompt classifier detector: a small learned model over character and word n-grams.

Why a learned model beside the lexicon: people find phrasings no word list
anticipated, and character n-grams of the normalised text generalise across
spellings, inflections and neighbouring languages; word pairs generalise
across phrasings ("forgot to get dressed", "under her dress"). The model is trained by
``scripts/train_prompt_model.py`` and shipped inside the package as a plain
numpy artefact (``models/prompt_clf-<version>.npz``), so inference needs only
numpy and loads in milliseconds. Every signal names the artefact's version and
sha256; each head has its own threshold, chosen at training time.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.vision.loader import shared
from consentgate.errors import ConfigError
from consentgate.records import Evidence, ModelRef, Signal, Target
from consentgate.text.ngrams import char_ngrams, word_grams, words_of
from consentgate.text.normalised import NormalisedText

MODEL_VERSION = "1.1.0"
MODEL_FILE = f"prompt_clf-{MODEL_VERSION}.npz"
# A sexual head's signal fires on its own only at or above this (or its trained
# threshold, if higher). Trained on our own templates, the heads learned that words
# like "woman" predict "explicit": at the trained thresholds 2.5 % of COCO captions
# fired ``sexual_explicit``; at 0.99, none of the public sets' 24,089 benign training
# rows did. Below it the probability still counts, through the semantic detector's
# fusion. The minor head keeps its threshold: a minor alone blocks nothing.
ALONE_FLOOR = {"sexual_explicit": 0.99, "sexualising_edit": 0.99}
WORD_CACHE_SIZE = 50_000
CHECK_EVERY = 256  # words between two deadline checks


@dataclass(frozen=True)
class PromptModel:
    """The loaded artefact: vocabulary, idf weights, one linear head per label."""

    version: str
    sha256: str
    heads: tuple[str, ...]
    index: dict[str, int]
    idf: NDArray[np.float32]
    weights: NDArray[np.float32]
    intercepts: NDArray[np.float32]
    thresholds: NDArray[np.float32]

    @classmethod
    def load(cls, name: str = MODEL_FILE) -> PromptModel:
        raw = (files("consentgate.detectors") / "models" / name).read_bytes()
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                vocab = str(data["vocab"]).split("\n")
                return cls(
                    version=meta["version"],
                    sha256=hashlib.sha256(raw).hexdigest(),
                    heads=tuple(meta["heads"]),
                    index={gram: i for i, gram in enumerate(vocab)},
                    idf=data["idf"],
                    weights=data["weights"],
                    intercepts=data["intercepts"],
                    thresholds=data["thresholds"],
                )
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"prompt model {name} is malformed: {exc}") from exc

    def scores(self, grams: list[str]) -> NDArray[np.float64]:
        """Probability per head, exactly as the TF-IDF + logistic regression computed it."""
        return self.scores_of(Counter(self.index[g] for g in grams if g in self.index))

    def scores_of(self, counts: Counter[int]) -> NDArray[np.float64]:
        """Probability per head from in-vocabulary feature counts."""
        if not counts:
            return 1.0 / (1.0 + np.exp(-self.intercepts.astype(np.float64)))
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float64, len(counts))
        values = tf * self.idf[idx]
        values /= np.linalg.norm(values)
        logits = self.weights[:, idx] @ values + self.intercepts
        return 1.0 / (1.0 + np.exp(-logits))


class PromptClassifierDetector(Detector):
    """Scores normalised prompts for explicit, sexualising and minor content."""

    runs_inline = True
    deterministic = True
    name = "prompt_classifier"
    version = "1.1.0"
    targets = frozenset({Target.PROMPT})
    provides = frozenset({"sexual_explicit", "sexualising_edit", "minor"})  # the model's heads
    description = (
        "Character n-gram classifier (pure numpy) with heads for explicit content, "
        "sexualising edits and minors."
    )

    def __init__(self, model: PromptModel | None = None) -> None:
        # Loaded once per process: the semantic detector reads the same model.
        self._model = model or shared("prompt_clf", PromptModel.load)
        # Words recur across prompts: remember each word's in-vocabulary n-grams.
        self._word_features: dict[str, tuple[int, ...]] = {}

    def _features(self, text: NormalisedText, check: Callable[[], None]) -> Counter[int]:
        """In-vocabulary feature counts. ``check`` is called now and then and may raise."""
        counts: Counter[int] = Counter()
        cache, index = self._word_features, self._model.index
        for n, word in enumerate(words_of(text)):
            if not n % CHECK_EVERY:
                check()
            found = cache.get(word)
            if found is None:
                found = tuple(index[g] for g in char_ngrams((word,)) if g in index)
                if len(cache) >= WORD_CACHE_SIZE:
                    cache.clear()
                cache[word] = found
            counts.update(found)
        counts.update(index[g] for g in word_grams(text, check) if g in index)
        return counts

    @property
    def model(self) -> ModelRef:
        return ModelRef(
            id=f"consentgate-prompt-clf-{self._model.version}",
            revision=f"sha256:{self._model.sha256}",
        )

    def probabilities(self, text: NormalisedText, check: Callable[[], None]) -> dict[str, float]:
        """Probability per head (the semantic detector fuses them with its own cues)."""
        scores = self._model.scores_of(self._features(text, check))
        return {head: float(p) for head, p in zip(self._model.heads, scores, strict=True)}

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        if inp.text is None:
            return []
        probabilities = self._model.scores_of(self._features(inp.text, inp.check_deadline))
        signals = []
        for head, p, trained in zip(
            self._model.heads, probabilities, self._model.thresholds, strict=True
        ):
            threshold = max(float(trained), ALONE_FLOOR.get(head, 0.0))
            if p >= threshold:
                evidence = Evidence(span=inp.text.text[:200], note=f"{head} p={p:.3f}")
                signals.append(
                    self.signal(head, Target.PROMPT, float(p), round(float(threshold), 6), evidence)
                )
        return signals
