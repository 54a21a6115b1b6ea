"""The seed requests the assessment starts from, shipped inside the package.

Why shipped rather than read from data/prompts: an installed ConsentGate must
be able to assess an endpoint without this repository. The file is written by
scripts/build_assess_seeds.py from the test split of our prompt set (never the
train split, so the figures are not those of requests the models learnt from),
and a test checks that it is what the script writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from consentgate.records import Mode

__all__ = ["Seed", "lexicon_languages", "load_seeds"]


@dataclass(frozen=True)
class Seed:
    """One request of the test split: a plain English ``seed`` or a ``translation``."""

    id: str
    text: str
    mode: Mode
    harmful: bool
    category: str
    language: str
    kind: str  # "seed" (plain English, to be disguised) or "translation"


@cache
def load_seeds() -> tuple[Seed, ...]:
    text = files("consentgate.assess").joinpath("data", "seeds.jsonl").read_text("utf-8")
    seeds = []
    for line in text.splitlines():
        raw = json.loads(line)
        seeds.append(
            Seed(
                id=raw["id"],
                text=raw["text"],
                mode=Mode(raw["mode"]),
                harmful=bool(raw["harmful"]),
                category=raw["category"],
                language=raw["language"],
                kind=raw["kind"],
            )
        )
    return tuple(seeds)


@cache
def lexicon_languages() -> frozenset[str]:
    """The languages the prompt lexicon lists (its manifest), for the report's language table."""
    manifest = files("consentgate.lexicon").joinpath("data", "manifest.yaml").read_text("utf-8")
    return frozenset(yaml.safe_load(manifest)["languages"])
