"""What multilingual-e5 adds to the semantic detector, per class of prompt.

e5 costs 35-45 ms a prompt (USE: 2-4 ms), so it should run only where it
changes decisions. The semantic detector can ask it in two places:

- ``wide``: text USE may not read (``semantic_cascade.wide_reason``), where
  e5's heads replace USE's; split by why (a script USE was not trained on,
  Latin letters none of its languages use, Latin text with none of their
  common words) and by whether the lexicon found a cue in the prompt;
- ``second``: the second opinion, where USE alone would raise a sexual label
  that no lexicon cue backs (the lower of the two heads' scores counts).

Over the same prompts as ``bench/prompt_eval.py`` (our test split, the
development sets, the public sets' test halves), each prompt of a class is
screened with the real engine and the shipped policy both ways: e5 reading it
and USE reading it (``wide``), with and without the second opinion
(``second``). Per class: prompts, decisions that differ (verdict or
escalation; "rules": also any rule that fired), of those how many e5 made right
and wrong by the set's label, and which way ships. A class where e5 changes no
decision is one where it is skipped (``semantic_cascade.reads_wide``).
Results: bench/out/e5_value.json.

    .venv/bin/python bench/e5_value.py              # about 10 minutes on one core
    .venv/bin/python bench/e5_value.py --coco 0     # every COCO test caption
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import consentgate.detectors.prompt_semantic as semantic_module
import prompt_public as public
from consentgate.detectors.prompt_classifier import PromptClassifierDetector
from consentgate.detectors.prompt_lexicon import PromptLexiconDetector
from consentgate.detectors.prompt_semantic import PromptSemanticDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.semantic_batching import Embed
from consentgate.detectors.semantic_cascade import needs_wide_encoder, reads_wide, wide_reason
from consentgate.detectors.semantic_features import Cues
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import Mode, ScreenRequest, Subject
from consentgate.settings import Settings
from consentgate.text.encoders import E5Encoder, UseEncoder
from consentgate.text.normalise import normalise
from consentgate.text.normalised import NormalisedText
from prompt_common import OUT, SOURCES, load_items

Outcome = tuple[str, bool, tuple[str, ...]]  # verdict, escalation, rules that fired


@dataclass(frozen=True)
class Case:
    set: str
    text: str
    harmful: bool
    mode: Mode
    subject: Subject | None = None


class Probe(PromptSemanticDetector):
    """The shipped detector, with e5's two uses switchable and the second opinion seen."""

    second_opinion = True
    asked: set[str]

    def _second_opinion(self, texts, cues, heads, check, embed: Embed):  # type: ignore[no-untyped-def]
        if not self.second_opinion:
            return heads
        out = super()._second_opinion(texts, cues, heads, check, embed)
        self.asked |= {t.text for t, (key, _) in zip(texts, out, strict=True) if key == "use+e5"}
        return out

    def cues(self, text: NormalisedText) -> Cues:
        return self._cues.read(text, lambda: None)


def classify(c: Case, probe: Probe) -> str | None:
    """The class through which ``c`` may reach e5, or None."""
    text = normalise(c.text)
    reason = wide_reason(text.text)
    if reason is not None:
        cued = bool(probe.cues(text).lexicon)
        return f"wide: {reason}, {'lexicon cue' if cued else 'no lexicon cue'}"
    if text.text in probe.asked:
        return f"second: {c.mode.value}"
    return None


def cases(coco: int) -> list[Case]:
    found = [Case("ours", i.text, i.harmful, i.mode) for i in load_items("test")]
    for name in SOURCES:
        found += [Case(name, i.text, i.harmful, i.mode) for i in load_items(name)]
    if not public.available():
        print(f"{public.PUBLIC} not found: the public sets are skipped")
        return found
    rows = public.coco(coco) + public.imgedit() + public.i2p() + public.ringabell()
    for r in rows:
        reading = next((v for v in r.harmful.values() if v is not None), None)
        if reading is not None:
            found.append(Case(r.source, r.text, reading, r.mode, r.subject))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coco", type=int, default=3000, help="COCO test captions (0: all)")
    args = parser.parse_args()
    probe = Probe(UseEncoder(), E5Encoder())
    probe.asked = set()
    context = Settings(decision_cache=0)
    registry = DetectorRegistry([PromptLexiconDetector(), PromptClassifierDetector(), probe])
    engine = ScreeningEngine(registry, load_policy(), settings=context)
    every = list({(c.text, c.mode, c.subject): c for c in cases(args.coco)}.values())

    def outcome(c: Case) -> Outcome:
        d = engine.screen(ScreenRequest(mode=c.mode, prompt=c.text, subject=c.subject))
        return d.decision.value, d.escalate, tuple(sorted(r.rule for r in d.reasons))

    def routed(rule: Callable[[str, bool], bool], among: list[Case]) -> dict[Case, Outcome]:
        semantic_module.reads_wide = rule
        try:
            return {c: outcome(c) for c in among}
        finally:
            semantic_module.reads_wide = reads_wide

    started = time.perf_counter()
    shipped = {c: outcome(c) for c in every}
    reached = {c: k for c in every if (k := classify(c, probe)) is not None}
    wide = [c for c in reached if reached[c].startswith("wide")]
    by_e5 = routed(lambda text, cued: needs_wide_encoder(text), wide)
    by_use = routed(lambda text, cued: False, wide)
    probe.second_opinion = False
    without_second = {c: outcome(c) for c in reached if reached[c].startswith("second")}
    engine.close()

    rows: dict[str, Counter[str]] = {}
    for c, reason in reached.items():
        ships = "e5"
        if reason.startswith("second"):
            with_e5, without = shipped[c], without_second[c]
        else:
            with_e5, without = by_e5[c], by_use[c]
            cued = not reason.endswith("no lexicon cue")
            ships = "e5" if reads_wide(normalise(c.text).text, cued) else "USE"
        for key in (reason, f"{reason} / {c.set}"):
            row = rows.setdefault(key, Counter())
            row["prompts"] += 1
            row[f"ships {ships}"] += 1
            row["rules"] += with_e5 != without
            if with_e5[:2] != without[:2]:
                row["changed"] += 1
                right = (with_e5[0] != "allow") == c.harmful
                row["e5 right" if right else "e5 wrong"] += 1
    print(f"prompts screened: {len(every)}; in a class that may reach e5: {len(reached)} "
          f"({len(reached) / len(every):.3f}); {time.perf_counter() - started:.0f} s")  # fmt: skip
    print(f"{'class':<44}{'prompts':>8}{'changed':>8}{'rules':>6}{'e5 right':>9}{'e5 wrong':>9}"
          "  ships")  # fmt: skip
    for key in sorted(rows, key=lambda k: (k.split(" / ")[0], " / " in k, k)):
        r = rows[key]
        name = key if " / " not in key else "   " + key.split(" / ")[1]
        ships = "e5" if r["ships e5"] >= r["ships USE"] else "USE"
        print(f"{name:<44}{r['prompts']:>8}{r['changed']:>8}{r['rules']:>6}{r['e5 right']:>9}"
              f"{r['e5 wrong']:>9}  {ships}")  # fmt: skip
    shares = Counter(reason.split(",")[0] for reason in reached.values())
    print("share of prompts in each class: " + ", ".join(
        f"{k} {v / len(every):.4f}" for k, v in sorted(shares.items())))  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    out = {"screened": len(every), "reached": len(reached), "classes": rows}
    (OUT / "e5_value.json").write_text(json.dumps(out, indent=2, default=dict), encoding="utf-8")


if __name__ == "__main__":
    main()
