"""Slot-disjoint expansion of prompt templates, shared by the prompt-set builders.

A template is one written phrasing with slots ("remove {hers} [{garment}]"); a slot
is a list of words or phrases. Expanding every template with every slot value and
then splitting the rows leaks: the same phrasing and the same words sit on both
sides, so a test figure measures memory, not generalisation. Here the split is
made twice before anything is filled in:

- every template belongs to train or to test (1 in 3 to test, per language and
  harmful/benign stratum);
- every slot value belongs to train or to test (about 40 % to test), and a
  template is filled only with values of its own side.

So the test split holds phrasings and words that training never saw. Values the
prompt lexicon already lists (many were copied there from these slots) are put in
train first, so the test split scores what the lexicon does not know.

File format (``#`` comments): ``@slot = a ; b ; c`` defines a slot;
``lang|mode|labels|category|tactic|text`` is a template, ``{slot}`` takes a value,
``[...]`` marks the word the disguise variants spell out.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "src" / "consentgate" / "lexicon" / "data"
SLOT = re.compile(r"\{(\w+)\}")
TEST_EVERY = 3  # one template in three is held out
TEST_VALUE_SHARE = 0.4  # of each slot's values, this share is held out (at least one)
FILLINGS = 20  # at most this many fillings of one template are kept


@dataclass(frozen=True)
class Template:
    key: str  # "<file>-t<nnn>": stable group name for splits and folds
    lang: str
    mode: str  # "e" edit, "g" generate
    codes: str  # label codes (see build_prompt_set.CODES)
    category: str
    tactic: str
    text: str
    slots: dict[str, tuple[str, ...]]  # the slots of its file


def read_templates(path: Path, prefix: str) -> list[Template]:
    slots: dict[str, tuple[str, ...]] = {}
    out: list[Template] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, values = line[1:].split("=", 1)
            slots[key.strip()] = tuple(v.strip() for v in values.split(";") if v.strip())
            continue
        lang, mode, codes, category, tactic, text = line.split("|")
        key = f"{prefix}-t{len(out):03d}"
        out.append(Template(key, lang, mode, codes, category, tactic, text, dict(slots)))
    return out


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def lexicon_terms() -> frozenset[str]:
    """Every term of the shipped lexicon files and the names list, folded."""
    terms: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            terms.add(fold(node.rstrip("*")))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(LEXICON.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    names = (LEXICON / "names.txt").read_text(encoding="utf-8").splitlines()
    terms.update(fold(n) for n in names if n.strip() and not n.startswith("#"))
    return frozenset(t for t in terms if t)


@cache
def in_lexicon(value: str) -> int:
    """2: the value is a lexicon term; 1: it holds a multi-word lexicon term; 0: neither."""
    folded = fold(value.strip("[]"))
    if folded in lexicon_terms():
        return 2
    padded = f" {folded} "
    phrases = (t for t in lexicon_terms() if " " in t)
    return 1 if any(f" {t} " in padded for t in phrases) else 0


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def value_splits(values: Iterable[str]) -> dict[str, str]:
    return dict(_value_splits(tuple(values)))


@cache
def _value_splits(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Held-out values first from those the lexicon does not know, then by hash."""
    ordered = sorted(dict.fromkeys(values), key=lambda v: (in_lexicon(v), _hash(v)))
    if len(ordered) < 2:
        raise ValueError(f"a slot needs two values to split: {ordered}")
    held = max(1, min(len(ordered) - 1, round(len(ordered) * TEST_VALUE_SHARE)))
    return tuple((v, "test" if i < held else "train") for i, v in enumerate(ordered))


def template_splits(
    templates: list[Template], stratum: Callable[[Template], object]
) -> dict[str, str]:
    """One template in three to test within each (language, stratum) group."""
    strata: dict[tuple[str, object], list[Template]] = defaultdict(list)
    for t in templates:
        strata[(t.lang, stratum(t))].append(t)
    out: dict[str, str] = {}
    for group in strata.values():
        group.sort(key=lambda t: _hash(t.text))
        for i, t in enumerate(group):
            out[t.key] = "test" if i % TEST_EVERY == 1 else "train"
    return out


def fillings(template: Template, split: str, limit: int = FILLINGS) -> list[str]:
    """The template filled with the values of ``split`` only (at most ``limit``)."""
    names = list(dict.fromkeys(SLOT.findall(template.text)))
    choices = []
    for name in names:
        sides = value_splits(template.slots[name])
        choices.append([v for v in template.slots[name] if sides[v] == split])
    out = []
    for values in itertools.product(*choices):
        filled = template.text
        for name, value in zip(names, values, strict=True):
            filled = filled.replace("{" + name + "}", value)
        out.append(filled)
    if len(out) > limit:
        out = random.Random(_hash(template.text)).sample(out, limit)
    return out


def write_rows(path: Path, rows: list[dict[str, object]], what: str) -> None:
    """Write a prompt set as JSON lines and say how many rows are in its test split."""
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    test = sum(1 for r in rows if r["split"] == "test")
    print(f"{len(rows)} {what} ({test} in the test split) -> {path.name}")
