"""The fusion's inputs for one prompt, computed the same way in training and at run time.

Why a separate module: the fused score is only calibrated if the features the
training script fitted the fusion on are exactly the features the detector
computes, so both call ``cue_features`` and ``fusion_row`` from here.

Per label the fusion sees four numbers:

* ``lexicon``: 1 if the lexicon found this label (an auditable phrase rule),
* ``lexicon_sexual``: 1 if it found the other sexual label (explicit vs
  sexualising edit: the two are often read off the same words),
* ``ngram``: the n-gram classifier's log-odds for this label (0 where it has no head),
* ``embedding``: the log-odds of the embedding head for this label.

Log-odds are clipped to +-``CLIP`` so one saturated input cannot dominate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

LABELS = ("sexual_explicit", "sexualising_edit", "minor", "real_person")
FEATURES = ("lexicon", "lexicon_sexual", "ngram", "embedding")
CLIP = 8.0
_OTHER_SEXUAL = {"sexual_explicit": "sexualising_edit", "sexualising_edit": "sexual_explicit"}


@dataclass(frozen=True, slots=True)
class Cues:
    """The cheap cues of one prompt: lexicon labels found, n-gram probabilities."""

    lexicon: frozenset[str]
    ngram: dict[str, float]


def logit(p: float | NDArray[np.float64]) -> NDArray[np.float64]:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.clip(np.log(q / (1 - q)), -CLIP, CLIP)


def fusion_row(label: str, cues: Cues, embedding_logit: float) -> NDArray[np.float64]:
    """The fusion's feature vector for ``label`` (order: ``FEATURES``)."""
    other = _OTHER_SEXUAL.get(label)
    ngram = cues.ngram.get(label)
    return np.array(
        [
            float(label in cues.lexicon),
            float(other is not None and other in cues.lexicon),
            float(logit(ngram)) if ngram is not None else 0.0,
            float(np.clip(embedding_logit, -CLIP, CLIP)),
        ]
    )
