"""The semantic prompt model artefact: embedding heads, fusion and thresholds, plain numpy.

Written by ``scripts/train_semantic.py`` into ``models/prompt_sem-<version>.npz``
and read here without scikit-learn. It holds, per label (``LABELS``):

* one logistic-regression head per encoder over that encoder's frozen,
  L2-normalised embedding (``<encoder>_w``, ``<encoder>_b``);
* the fusion: a logistic regression over ``semantic_features.FEATURES``
  (``fuse_w``, ``fuse_b``), fitted on out-of-fold head and n-gram scores;
* two thresholds on the fused probability, chosen on benign rows of the
  training split (``upper``: block, ``lower``: review; see the training script).

The artefact names the encoders it was trained against (id and weight sha256);
loading it beside different encoder weights is a configuration error, because
the heads would silently read a different embedding space.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray

from consentgate.errors import ConfigError
from consentgate.records import ModelRef

MODEL_VERSION = "1.0.0"
MODEL_FILE = f"prompt_sem-{MODEL_VERSION}.npz"


@dataclass(frozen=True)
class SemanticModel:
    """The loaded artefact. ``heads`` maps an encoder name to its (weights, intercepts)."""

    version: str
    sha256: str
    labels: tuple[str, ...]
    encoders: dict[str, ModelRef]
    heads: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]]
    fuse_w: NDArray[np.float64]
    fuse_b: NDArray[np.float64]
    upper: NDArray[np.float64]
    lower: NDArray[np.float64]
    meta: dict[str, Any]

    @classmethod
    def load(cls, name: str = MODEL_FILE) -> SemanticModel:
        raw = (files("consentgate.detectors") / "models" / name).read_bytes()
        return cls.from_bytes(raw)

    @classmethod
    def from_bytes(cls, raw: bytes) -> SemanticModel:
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                encoders = {k: ModelRef(**v) for k, v in meta["encoders"].items()}
                return cls(
                    version=meta["version"],
                    sha256=hashlib.sha256(raw).hexdigest(),
                    labels=tuple(meta["labels"]),
                    encoders=encoders,
                    heads={k: (data[f"{k}_w"], data[f"{k}_b"]) for k in encoders},
                    fuse_w=data["fuse_w"].astype(np.float64),
                    fuse_b=data["fuse_b"].astype(np.float64),
                    upper=data["upper"].astype(np.float64),
                    lower=data["lower"].astype(np.float64),
                    meta=meta,
                )
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"semantic prompt model is malformed: {exc}") from exc

    def check_encoder(self, name: str, model: ModelRef) -> None:
        """Raise unless ``model`` is the encoder the heads were trained on."""
        expected = self.encoders.get(name)
        if expected is None or expected.revision != model.revision:
            raise ConfigError(
                f"semantic prompt model {self.version} was trained on {expected}, "
                f"not on encoder {name} {model}"
            )

    def head_logits(self, encoder: str, embeddings: NDArray[np.float32]) -> NDArray[np.float64]:
        """Log-odds per (row, label) of one encoder's heads."""
        weights, intercepts = self.heads[encoder]
        return (embeddings @ weights.T + intercepts).astype(np.float64)

    def fuse(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Fused probability per label; ``features`` has shape (labels, FEATURES)."""
        z: NDArray[np.float64] = (features * self.fuse_w).sum(axis=1) + self.fuse_b
        return 1.0 / (1.0 + np.exp(-z))
