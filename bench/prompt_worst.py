"""Worst-case prompts: CPU time of normalisation and each prompt detector at the maximum length.

A prompt may be up to 20,000 characters (``ScreenRequest.prompt``). Screening must
cost time in proportion to that length whatever the characters are, or be
bounded, so that a crafted prompt cannot hold a worker. For each class of
character that exercises a different part of the pipeline (emoji read as words,
spaced letters joined, substring-matched scripts, leetspeak, dense lexicon words,
invisible characters, homoglyphs) this prints the CPU time of ``normalise`` and
of every installed prompt detector (the lexicon, the n-gram model and the
semantic detector with its real encoders), on one core, at the full length and
at a quarter of it. The ratio full/quarter is about 4 when the work is linear
(16 when quadratic); the semantic detector's encoders read at most 512 tokens,
so their part does not grow at all. An ordinary English prompt of the same
length is the baseline in the same run. Medians of ``--repeats`` runs.

Conversations: a request may carry 20 earlier turns, each up to the prompt limit.
The second table is the CPU time of the conversation detector reading 20 such
turns (each different, from an empty cache, as in the worst request) and the
prompt, beside the same for 5 turns: it reads at most ``TURN_CHARS`` of each turn,
so the ratio is about 4 (linear in the number of turns) and no figure grows with
the turns' length; the prompt detectors above read the prompt as before.

    .venv/bin/python bench/prompt_worst.py               # 20,000 and 5,000 characters
    .venv/bin/python bench/prompt_worst.py --length 8000 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from consentgate.conversation.cache import TURN_CHARS
from consentgate.conversation.cues import load_cues
from consentgate.conversation.turns import TurnReader
from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.prompt_conversation import PromptConversationDetector
from consentgate.detectors.registry import DetectorRegistry, installed_detectors
from consentgate.lexicon.loader import load_lexicon
from consentgate.records import MAX_HISTORY_TURNS, Mode, ScreenRequest, Target
from consentgate.text.normalise import normalise
from prompt_common import OUT

MAX_PROMPT = 20_000
ZWSP = "\u200b"

# Each class is a phrase repeated up to the length; the baseline is ordinary English.
PHRASES: dict[str, str] = {
    "english (baseline)": "a watercolour painting of a quiet harbour at dawn with fishing boats ",
    "emoji": "🍑",
    "mixed emoji": "🍑🍆💦👙🔞👅🫦👧🍒😀🌊",
    "spaced letters": "r e m o v e   h e r   d r e s s   ",
    "CJK": "把她的衣服脱掉让她穿比基尼变大胸部",
    "Arabic": "اخلع ملابسها واجعلها عارية كبّر صدرها ",
    "leetspeak": "r3m0v3 h3r cl0th3s ",
    "edit words": "remove her dress make bikini bigger breasts take off ",
    "zero-width": ZWSP.join("remove her clothes ") + ZWSP,
    "homoglyphs": "rеmоvе hеr сlоthеs аnd mаkе hеr nudе ",
}


def prompt_of(phrase: str, length: int) -> str:
    return (phrase * (length // len(phrase) + 1))[:length]


def cpu_ms(run: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.process_time()
        run()
        samples.append((time.process_time() - t0) * 1000)
    return statistics.median(samples)


def measure(prompt: str, detectors: list[Detector], repeats: int) -> tuple[float, dict[str, float]]:
    normalise_ms = cpu_ms(lambda: normalise(prompt), repeats)
    inp = ScreenInput(request=ScreenRequest(mode=Mode.EDIT, prompt=prompt), text=normalise(prompt))
    return normalise_ms, {d.name: cpu_ms(lambda d=d: d.detect(inp), repeats) for d in detectors}


def prompt_detectors() -> list[Detector]:
    """Every installed prompt detector that can run here (the rest are named)."""
    names = []
    for found in installed_detectors():
        if Target.PROMPT.value not in found.targets:
            continue
        if found.unavailable:
            print(f"not measured: {found.name} ({found.unavailable})")
            continue
        names.append(found.name)
    registry = DetectorRegistry.from_entry_points(DetectorContext(), only=names)
    registry.warm_up()
    return list(registry)


def conversation_ms(phrase: str, length: int, turns: int, repeats: int) -> float:
    """CPU ms of the conversation detector on ``turns`` distinct turns and the prompt, cold."""
    lexicon, cues = load_lexicon(), load_cues()
    history = tuple(prompt_of(f"{n} {phrase}", length) for n in range(turns))
    prompt = prompt_of(phrase, length)
    request = ScreenRequest(mode=Mode.EDIT, prompt=prompt, history=history)
    inp = ScreenInput(request=request, text=normalise(prompt))

    def run() -> object:  # a fresh cache each time: every turn is read
        return PromptConversationDetector(lexicon, cues, TurnReader(lexicon, cues)).detect(inp)

    return cpu_ms(run, repeats)


def conversations(length: int, repeats: int) -> dict[str, dict[str, float]]:
    turns, few = MAX_HISTORY_TURNS, MAX_HISTORY_TURNS // 4
    print(f"\nconversations: prompt_conversation, {turns} earlier turns and the prompt of "
          f"{length:,} characters each (at most {TURN_CHARS:,} of each read), cold cache; "
          f"x4: ratio to {few} turns")  # fmt: skip
    print(f"{'class':<20}{f'{turns} turns':>12}{f'{few} turns':>12}{'x4':>7}")
    results: dict[str, dict[str, float]] = {}
    for name, phrase in PHRASES.items():
        full = conversation_ms(phrase, length, turns, repeats)
        small = conversation_ms(phrase, length, few, repeats)
        ratio = full / max(small, 1e-3)
        results[name] = {"turns_ms": full, "few_turns_ms": small, "x4": ratio}
        print(f"{name:<20}{full:>12.1f}{small:>12.1f}{ratio:>7.1f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=MAX_PROMPT, help="characters per prompt")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    detectors = prompt_detectors()
    quarter = args.length // 4
    print(f"worst-case prompts: CPU ms on one core, median of {args.repeats}, "
          f"{args.length:,} characters (x4: ratio to {quarter:,})")  # fmt: skip
    names = [d.name for d in detectors]
    header = f"{'class':<20}{'normalise':>11}" + "".join(f"{n:>19}" for n in names)
    print(f"{header}{'total':>10}{'x4':>7}")
    results: dict[str, dict[str, float]] = {}
    for name, phrase in PHRASES.items():
        norm_ms, det_ms = measure(prompt_of(phrase, args.length), detectors, args.repeats)
        small_norm, small_det = measure(prompt_of(phrase, quarter), detectors, args.repeats)
        total = norm_ms + sum(det_ms.values())
        ratio = total / max(small_norm + sum(small_det.values()), 1e-3)
        results[name] = {"normalise_ms": norm_ms, **det_ms, "total_ms": total, "x4": ratio}
        cells = "".join(f"{det_ms[n]:>19.1f}" for n in names)
        print(f"{name:<20}{norm_ms:>11.1f}{cells}{total:>10.1f}{ratio:>7.1f}")
    turns = conversations(args.length, args.repeats)
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "length": args.length,
        "repeats": args.repeats,
        "classes": results,
        "conversations": turns,
    }
    (OUT / "prompt_worst.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
