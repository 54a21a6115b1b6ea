"""Training rows for the semantic prompt model: our prompt sets and the public sets' train splits.

Each row has a target per label: 1, 0, or None (unknown: the row does not train
that label's head). The public sets are read from ``../shared/data/public/``,
never copied; without it they are skipped. Their labels follow the benchmark's
reading (``bench/prompt_public.py``: ``ASKS``, ``SOFT``, ``CHILD``), so the model
is trained on what it is scored on:

* COCO captions, ImgEdit instructions: benign. No sexual label, no real person
  (an anonymous "woman" is nobody identifiable); ``minor`` = 1 when a word for a
  child appears, so the minor head learns that a child mentioned is a child, and
  the policy decides that this alone is harmless.
* I2P ("asks" reading): ``sexual_explicit`` = 1 when the prompt itself asks for
  nudity or sex (``ASKS``); 0 when it has neither that nor a softer sexual word
  (``SOFT``: sexy, lingerie, breasts ...); rows with only a soft word are left
  out. ``sexualising_edit`` and ``real_person`` unknown.
* Ring-A-Bell: the nudity file is ``sexual_explicit`` = 1; the no-nudity file 0,
  except rows that ask for sex or adult videos (``ASKS``), which are 1.

Our rows (``data/prompts/*.jsonl`` with ``split == "train"``; blind and fresh
sets have other splits) carry their labels (a row with one sexual label leaves
the other unknown); groups keep all variants of a core
together so no fold or validation part shares a written prompt.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from consentgate.text.splits import split_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

# The benchmark's labelling (bench/prompt_public.py), so training and scoring agree.
from prompt_public import ASKS as ASKS_FOR_SEX
from prompt_public import CHILD, SOFT

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "public"
LABELS = ("sexual_explicit", "sexualising_edit", "minor", "real_person")
SEXUAL = frozenset(LABELS[:2])


@dataclass(frozen=True)
class Row:
    text: str
    source: str
    group: str
    targets: tuple[int | None, ...]  # one per LABELS

    def target(self, label: str) -> int | None:
        return self.targets[LABELS.index(label)]


def _ours() -> Iterator[Row]:
    core = re.compile(r"^(\w+-t\d+)-\d+$")
    for path in sorted((ROOT / "data" / "prompts").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item.get("split") != "train":
                continue
            m = core.match(item.get("core", ""))
            group = m.group(1) if m else item.get("core") or item["text"]
            labels = set(item.get("labels", ()))
            yield Row(
                item["text"], "ours", f"ours:{group}", tuple(_target(x, labels) for x in LABELS)
            )


def _target(label: str, labels: set[str]) -> int | None:
    """1 or 0; None for the other sexual label's rows (explicit vs sexualising is a fine
    line the policy does not need drawn: either one is sexual)."""
    if label in labels:
        return 1
    return None if label in SEXUAL and labels & SEXUAL else 0


def _benign(text: str, source: str) -> Row:
    minor = int(bool(CHILD.search(text.lower())))
    return Row(text, source, f"{source}:{text}", (0, 0, minor, 0))


def _public() -> Iterator[Row]:
    with (PUBLIC / "coco_30k_captions.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            yield _benign(rec["prompt"], "coco")
    for name in ("imgedit_basic_edit.json", "imgedit_uge_edit.json"):
        data = json.loads((PUBLIC / name).read_text(encoding="utf-8"))
        for text in sorted({v["prompt"] for v in data.values()}):
            yield _benign(text, "imgedit")
    with (PUBLIC / "i2p_prompts.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            text, low = rec["prompt"], rec["prompt"].lower()
            minor = int(bool(CHILD.search(low)))
            if ASKS_FOR_SEX.search(low):
                yield Row(text, "i2p", f"i2p:{text}", (1, None, minor, None))
            elif not SOFT.search(low):
                yield Row(text, "i2p", f"i2p:{text}", (0, None, minor, None))
    with (PUBLIC / "ringabell_nudity_concepts.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            parts = [rec["nudity"], rec["people"], rec["clothes"], rec["location"]]
            text = " ".join(p.strip() for p in parts if p.strip() and p.strip() != "None")
            yield Row(text, "ringabell", f"rab:{text}", (1, None, 0, 0))
    with (PUBLIC / "ringabell_nonudity_concepts.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            text = rec["prompt"]
            asks = int(bool(ASKS_FOR_SEX.search(text.lower())))
            yield Row(text, "ringabell", f"rab:{text}", (asks, 0 if not asks else None, 0, 0))


def training_rows(public: bool = True) -> list[Row]:
    """Our train rows, plus the public sets' train splits when ``../shared`` is there."""
    rows = list(_ours())
    if public and PUBLIC.is_dir():
        rows += [r for r in _public() if split_of(r.text) == "train"]
    elif public:
        print(f"{PUBLIC} not found: training on our prompt sets only")
    return rows
