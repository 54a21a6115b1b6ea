"""Train the prompt classifier and write its versioned artefact into the package.

Reproducible: the same data set and this script give the same weights.
Trains on the ``train`` split of data/prompts/prompts.jsonl only (the ``test``
split is for bench/prompt_eval.py), one logistic-regression head per label over
TF-IDF-weighted character n-grams and word unigrams and bigrams of the
normalised prompt. Each head's threshold is set from cross-validated scores on
the training split (folds keep all variants of one written prompt, and all
fillings of one template, together), so that at most 0.5% of the prompts that
head must not fire on would fire it. For ``sexualising_edit`` those are the
prompts with no sexual label at all: an explicit prompt that also reads as
sexualising is blocked either way, and counting it would only push the
threshold above the phrasings the head exists to catch.

The artefact is plain numpy (vocabulary, idf, weights, thresholds): the detector
needs no scikit-learn at run time.

Run: .venv/bin/python scripts/train_prompt_model.py [--version 1.0.0]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from consentgate.text.ngrams import NGRAM_MAX, NGRAM_MIN, prompt_features
from consentgate.text.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "prompts" / "prompts.jsonl"
MODELS = ROOT / "src" / "consentgate" / "detectors" / "models"
HEADS = ("sexual_explicit", "sexualising_edit", "minor")
MAX_NEGATIVE_RATE = 0.005
# Floors under the cross-validated thresholds: a head never fires below even odds.
MIN_THRESHOLD = {"sexual_explicit": 0.5, "sexualising_edit": 0.5, "minor": 0.5}
# Labels whose presence makes a prompt neither positive nor negative for a head's
# threshold (see the module docstring).
IGNORED_FOR_THRESHOLD = {"sexualising_edit": "sexual_explicit"}
C = 4.0
TEMPLATE_CORE = re.compile(r"^(\w+-t\d+)-\d+$")


def load_train() -> tuple[list[list[str]], dict[str, np.ndarray], np.ndarray]:
    docs, groups = [], []
    labels: dict[str, list[bool]] = {h: [] for h in HEADS}
    labels["sexual_explicit_any"] = []
    for line in DATASET.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["split"] != "train":
            continue
        docs.append(prompt_features(normalise(item["text"])))
        for head in HEADS:
            labels[head].append(head in item["labels"])
        labels["sexual_explicit_any"].append("sexual_explicit" in item["labels"])
        template = TEMPLATE_CORE.match(item["core"])
        groups.append(template.group(1) if template else item["core"])
    return docs, {h: np.array(v) for h, v in labels.items()}, np.array(groups)


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True, min_df=2, norm="l2")


def head_model() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000, solver="liblinear")


def choose_threshold(
    docs: list[list[str]], y: np.ndarray, groups: np.ndarray, floor: float, ignore: np.ndarray
) -> float:
    """Lowest threshold at which cross-validated negatives fire at most 0.5% of the time."""
    scores = np.zeros(len(docs))
    for train, held in GroupKFold(n_splits=5).split(docs, y, groups):
        vec = vectorizer()
        x_train = vec.fit_transform([docs[i] for i in train])
        model = head_model().fit(x_train, y[train])
        scores[held] = model.predict_proba(vec.transform([docs[i] for i in held]))[:, 1]
    negative = ~y & ~ignore
    negatives = np.sort(scores[negative])
    cut = negatives[int(np.ceil(len(negatives) * (1 - MAX_NEGATIVE_RATE))) - 1]
    threshold = float(max(cut + 1e-6, floor))
    recall = float((scores[y] >= threshold).mean())
    negatives_fired = float((scores[negative] >= threshold).mean())
    print(f"  cv: threshold {threshold:.3f}, recall {recall:.3f}, negatives {negatives_fired:.4f}")
    return threshold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="1.1.0")
    args = parser.parse_args()
    docs, labels, groups = load_train()
    print(f"training on {len(docs)} prompts")
    vec = vectorizer()
    x = vec.fit_transform(docs)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    weights, intercepts, thresholds = [], [], []
    for head in HEADS:
        print(f"head {head}: {int(labels[head].sum())} positives")
        ignored = IGNORED_FOR_THRESHOLD.get(head)
        ignore = labels[f"{ignored}_any"] if ignored else np.zeros(len(docs), dtype=bool)
        thresholds.append(choose_threshold(docs, labels[head], groups, MIN_THRESHOLD[head], ignore))
        model = head_model().fit(x, labels[head])
        weights.append(model.coef_[0].astype(np.float32))
        intercepts.append(float(model.intercept_[0]))
    meta = {
        "version": args.version,
        "heads": list(HEADS),
        "ngram": [NGRAM_MIN, NGRAM_MAX],
        "features": "tfidf(sublinear, l2) of char_wb n-grams and word uni/bigrams of every reading",
        "trained_on": f"data/prompts/prompts.jsonl split=train ({len(docs)} prompts)",
        "dataset_sha256": hashlib.sha256(DATASET.read_bytes()).hexdigest(),
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        vocab=np.array("\n".join(vocab)),
        idf=vec.idf_.astype(np.float32),
        weights=np.stack(weights),
        intercepts=np.array(intercepts, dtype=np.float32),
        thresholds=np.array(thresholds, dtype=np.float32),
        meta=np.array(json.dumps(meta)),
    )
    MODELS.mkdir(parents=True, exist_ok=True)
    path = MODELS / f"prompt_clf-{args.version}.npz"
    path.write_bytes(buffer.getvalue())
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()
    print(f"wrote {path.relative_to(ROOT)} ({len(vocab)} features, sha256 {digest[:16]}…)")
    check_parity(path.name, docs[:300], vec, x[:300], weights, intercepts)


def check_parity(name: str, docs, vec, x, weights, intercepts) -> None:  # type: ignore[no-untyped-def]
    """The numpy inference in the detector must reproduce scikit-learn's probabilities."""
    from consentgate.detectors.prompt_classifier import PromptModel

    model = PromptModel.load(name)
    logits = x @ np.stack(weights).T + np.array(intercepts)
    expected = 1.0 / (1.0 + np.exp(-logits))
    got = np.stack([model.scores(doc) for doc in docs])
    worst = float(np.abs(expected - got).max())
    print(f"numpy inference matches scikit-learn to within {worst:.2e}")
    if worst > 1e-4:
        raise SystemExit("parity check failed")


if __name__ == "__main__":
    main()
