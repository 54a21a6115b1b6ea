"""One fixed train/test split for every prompt set, decided by the text alone.

Why a hash of the text and not a random draw: the split of a public set must be
the same on every machine, in every run and in every script that reads it (the
training script tunes on ``train``, the benchmark scores ``test``), without
shipping a list of row ids or copying the public files into the repository. A
row's split depends only on its own normalised text, so two copies of the same
prompt always land on the same side, and adding rows never moves old ones.

The normalisation here is deliberately tiny and frozen (Unicode NFKC, case
folding, whitespace collapsed): the screening normaliser changes between
releases, and a split must not.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Literal

Split = Literal["train", "test"]
TRAIN_BUCKETS = 7  # of 10: about 70 % train, 30 % test


def split_key(text: str) -> str:
    """The text a split is decided on: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def split_of(text: str) -> Split:
    """``train`` or ``test`` for this text, the same on every machine and run."""
    digest = hashlib.sha256(split_key(text).encode("utf-8")).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10
    return "train" if bucket < TRAIN_BUCKETS else "test"
