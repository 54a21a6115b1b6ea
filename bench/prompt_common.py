"""Shared pieces of the prompt benchmarks: our labelled sets, the engine, the baseline.

The baseline is what a team without ConsentGate would write first: a plain
English keyword list matched on lower-cased words, no normalisation, no other
languages. Both benchmarks measure it in the same run, beside the real engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from consentgate.engine import ScreeningEngine
from consentgate.records import Mode, ScreenRequest, Verdict
from consentgate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "data" / "prompts"
DATASET = PROMPTS / "prompts.jsonl"
# Our labelled sets, each split slot-disjointly into train and test by its builder
# (scripts/build_prompt_set.py, build_hard_benign.py, build_variants.py).
DATASETS = {
    "prompts": DATASET,
    "hard_benign": PROMPTS / "hard_benign.jsonl",
    "variants": PROMPTS / "variants.jsonl",
}
# Development sets: written blind (by someone who had not read the lexicon, the
# model or the labelled set) or after tuning, but their errors have since been read
# while rules and thresholds were changed, so they are no longer held out.
SOURCES = {
    "fresh": PROMPTS / "fresh.jsonl",
    "blind": PROMPTS / "blind.jsonl",
    "blind2": PROMPTS / "blind2.jsonl",
    "blind3": PROMPTS / "blind3.jsonl",
}
OUT = ROOT / "bench" / "out"
PROMPT_DETECTORS = ("prompt_lexicon", "prompt_classifier")  # the pipeline before issue 10

_BASELINE = (
    "nude naked nudity topless undress undressed strip stripped bikini lingerie underwear bra "
    "panties thong porn porno sex sexy nsfw xxx erotic explicit breasts boobs clothes child "
    "children kid kids teen minor underage ignore jailbreak"
)
BASELINE_WORDS = frozenset(_BASELINE.split())
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    mode: Mode
    expected: Verdict
    harmful: bool
    category: str
    tactic: str
    language: str
    split: str
    source: str = "prompts"


def read_items(path: Path, source: str, split: str | None) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if split is None or raw["split"] == split:
            items.append(
                Item(
                    raw["id"],
                    raw["text"],
                    Mode(raw["mode"]),
                    Verdict(raw["expected"]),
                    raw["harmful"],
                    raw["category"],
                    raw["tactic"],
                    raw["language"],
                    raw["split"],
                    source,
                )
            )
    return items


def load_items(split: str | None = "test") -> list[Item]:
    """A development set by name (``blind``, ``fresh`` ...), or our sets' ``split`` (None: all)."""
    if split in SOURCES:
        return read_items(SOURCES[split], split, None)
    return [i for name, path in DATASETS.items() if path.exists()
            for i in read_items(path, name, split)]  # fmt: skip


def installed_prompt_detectors() -> tuple[str, ...]:
    """Every installed prompt detector (entry points named ``prompt_*``)."""
    names = {ep.name for ep in entry_points(group="consentgate.detectors")}
    return tuple(sorted(n for n in names if n.startswith("prompt_")))


def prompt_engine(
    installed: bool = False, detectors: tuple[str, ...] | None = None
) -> ScreeningEngine:
    """The real engine with the shipped default policy and every installed prompt detector.

    ``installed=True`` builds it exactly as a deployment does (every installed
    detector via entry points); image detectors simply do not apply to prompts.
    ``detectors`` names them instead (``PROMPT_DETECTORS``: the earlier pipeline).
    """
    if installed:
        names: tuple[str, ...] = ()
    else:
        names = detectors if detectors is not None else installed_prompt_detectors()
    engine = ScreeningEngine.build(Settings(detectors=names))
    engine.registry.warm_up()  # as the service does at start-up
    return engine


def baseline_verdict(text: str) -> Verdict:
    words = set(_WORD.findall(text.lower()))
    return Verdict.BLOCK if words & BASELINE_WORDS else Verdict.ALLOW


def request(item: Item) -> ScreenRequest:
    return ScreenRequest(id=item.id, mode=item.mode, prompt=item.text)
