"""Inputs of the semantic model's training: cached embeddings and the cheap cues per row.

Embeddings are cached in ``var/semantic_cache/<encoder>-<revision>.npz`` by text,
so a second training run only embeds new rows. The n-gram classifier's
probabilities on our own rows are out of fold (it was trained on them); on the
public rows, which it never saw, the shipped classifier's probabilities are used.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from semantic_data import ROOT, Row
from train_prompt_model import HEADS, head_model, vectorizer

from consentgate.detectors.prompt_semantic import CueReader
from consentgate.detectors.semantic_features import Cues
from consentgate.text.encoders import SentenceEncoder
from consentgate.text.ngrams import prompt_features
from consentgate.text.normalise import normalise

CACHE = ROOT / "var" / "semantic_cache"
BATCH = 64


def cached_embeddings(
    encoder: SentenceEncoder, texts: list[str], mask: np.ndarray | None = None
) -> np.ndarray:
    """Embeddings of ``texts`` (zeros where ``mask`` is False), from the cache when there."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{encoder.name}-{encoder.model.revision[7:19]}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            known = dict(zip(data["texts"].tolist(), data["vecs"], strict=False))
    wanted = [t for i, t in enumerate(texts) if (mask is None or mask[i]) and t not in known]
    wanted = list(dict.fromkeys(wanted))
    started = time.perf_counter()
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        known.update(zip(chunk, encoder.embed(chunk), strict=False))
        if start // BATCH % 20 == 0:
            print(
                f"  {encoder.name}: {start + len(chunk)}/{len(wanted)} "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if wanted:
        keys = list(known)
        np.savez(path, texts=np.array(keys), vecs=np.stack([known[k] for k in keys]))
    out = np.zeros((len(texts), encoder.dim), np.float32)
    for i, t in enumerate(texts):
        if (mask is None or mask[i]) and t in known:
            out[i] = known[t]
    return out


def row_cues(rows: list[Row], texts: list[str]) -> list[Cues]:
    """Lexicon labels and n-gram probabilities per row (out of fold on our rows)."""
    reader = CueReader.default()
    cues = [reader.read(normalise(r.text), lambda: None) for r in rows]
    ours = [i for i, r in enumerate(rows) if r.source == "ours"]
    docs = [prompt_features(normalise(rows[i].text)) for i in ours]
    groups = np.array([rows[i].group for i in ours])
    oof = {h: np.zeros(len(ours)) for h in HEADS}
    for train, test in GroupKFold(n_splits=5).split(docs, groups=groups):
        vec = vectorizer()
        x = vec.fit_transform([docs[j] for j in train])
        xt = vec.transform([docs[j] for j in test])
        for head in HEADS:
            y = np.array([rows[ours[j]].target(head) == 1 for j in train])
            oof[head][test] = head_model().fit(x, y).predict_proba(xt)[:, 1]
    for k, i in enumerate(ours):
        cues[i] = Cues(cues[i].lexicon, {h: float(oof[h][k]) for h in HEADS})
    return cues
