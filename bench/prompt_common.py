"""Shared pieces of the prompt benchmarks: the labelled set, the engine, the baseline.

The baseline is what a team without ConsentGate would write first: a plain
English keyword list matched on lower-cased words, no normalisation, no other
languages. Both benchmarks measure it in the same run, beside the real engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from consentgate.engine import ScreeningEngine
from consentgate.records import Mode, ScreenRequest, Verdict
from consentgate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "prompts" / "prompts.jsonl"
# Prompts written after the lexicon and model were tuned, never used to tune them.
FRESH = ROOT / "data" / "prompts" / "fresh.jsonl"
# Blind sets: written by someone who had not read the lexicon, the model or the
# labelled set; each is scored once, before and after a change, never tuned on.
SOURCES = {
    "fresh": FRESH,
    "blind": ROOT / "data" / "prompts" / "blind.jsonl",
    "blind2": ROOT / "data" / "prompts" / "blind2.jsonl",
    "blind3": ROOT / "data" / "prompts" / "blind3.jsonl",
}
OUT = ROOT / "bench" / "out"
PROMPT_DETECTORS = ("prompt_lexicon", "prompt_classifier")

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


def load_items(split: str | None = "test") -> list[Item]:
    items = []
    source = SOURCES.get(split or "", DATASET)
    for line in source.read_text(encoding="utf-8").splitlines():
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
                )
            )
    return items


def prompt_engine(installed: bool = False) -> ScreeningEngine:
    """The real engine with the shipped default policy and the prompt detectors.

    ``installed=True`` builds it exactly as a deployment does (every installed
    detector via entry points); image detectors simply do not apply to prompts.
    """
    settings = Settings(detectors=() if installed else PROMPT_DETECTORS)
    return ScreeningEngine.build(settings)


def baseline_verdict(text: str) -> Verdict:
    words = set(_WORD.findall(text.lower()))
    return Verdict.BLOCK if words & BASELINE_WORDS else Verdict.ALLOW


def request(item: Item) -> ScreenRequest:
    return ScreenRequest(id=item.id, mode=item.mode, prompt=item.text)
