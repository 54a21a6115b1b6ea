"""A case's decision in words: the rule, the detectors, their scores against thresholds,
the matched bank entry and distance, and the prompt with the matched text marked.

Why its own module: the record already carries every fact (``records.Reason``,
``Signal``, ``Evidence``; presidio's ``AnalysisExplanation`` idea), so the page
only has to lay them out; this turns a recorded decision, or the facts a
retro-match or a notice opened the case with, into rows a template prints.
Prompt text is shown only where the decision kept it (``store_prompts``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from consentgate.records import Evidence, Record, Signal, Verdict
from consentgate.service.decisions import RecordedDecision


class SignalView(Record):
    detector: str
    version: str
    model: str | None = None
    label: str
    target: str
    score: float
    threshold: float
    review_threshold: float | None = None
    fired: bool
    uncertain: bool
    evidence: tuple[str, ...] = ()


class RuleView(Record):
    rule: str
    verdict: Verdict
    description: str
    signals: tuple[SignalView, ...] = ()
    failures: tuple[str, ...] = ()


class BankMatch(Record):
    bank: str
    entry: str | None = None
    distance: int | None = None
    hash_type: str | None = None


class PromptPart(Record):
    text: str
    marked: bool = False


class Explanation(Record):
    """What decided (or opened) a case, ready to print."""

    verdict: Verdict | None = None
    policy: str | None = None
    rules: tuple[RuleView, ...] = ()
    banks: tuple[BankMatch, ...] = ()
    prompt: tuple[PromptPart, ...] = ()
    prompt_kept: bool = False
    unplaced_spans: tuple[str, ...] = ()
    disguises: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()


def _evidence_line(ev: Evidence) -> str:
    parts = []
    if ev.span is not None:
        parts.append(f"matched “{ev.span}”")
    if ev.term is not None and ev.term != ev.span:
        parts.append(f"term {ev.term}")
    if ev.language:
        parts.append(f"language {ev.language}")
    if ev.bank is not None:
        parts.append(f"bank {ev.bank}")
    if ev.entry is not None:
        parts.append(f"entry {ev.entry}")
    if ev.distance is not None:
        parts.append(f"distance {ev.distance}")
    if ev.person is not None:
        parts.append(f"person {ev.person}")
    if ev.score is not None:
        parts.append(f"score {ev.score:.2f}")
    if ev.box is not None:
        parts.append(f"box {ev.box.width}×{ev.box.height} at {ev.box.x},{ev.box.y}")
    if ev.frame is not None:
        parts.append(f"frame {ev.frame}")
    if ev.note:
        parts.append(ev.note)
    return ", ".join(parts)


def signal_view(signal: Signal) -> SignalView:
    model = f"{signal.model.id}@{signal.model.revision[:12]}" if signal.model else None
    return SignalView(
        detector=signal.detector,
        version=signal.detector_version,
        model=model,
        label=signal.label,
        target=signal.target.value,
        score=signal.score,
        threshold=signal.threshold,
        review_threshold=signal.review_threshold,
        fired=signal.fired,
        uncertain=signal.uncertain,
        evidence=tuple(line for ev in signal.evidence if (line := _evidence_line(ev))),
    )


def _bank_matches(signals: Iterable[Signal]) -> list[BankMatch]:
    found: dict[tuple[str, str | None], BankMatch] = {}
    for signal in signals:
        for ev in signal.evidence:
            if ev.bank is not None:
                found.setdefault(
                    (ev.bank, ev.entry),
                    BankMatch(bank=ev.bank, entry=ev.entry, distance=ev.distance),
                )
    return list(found.values())


def highlight(prompt: str, spans: Sequence[str]) -> tuple[list[PromptPart], list[str]]:
    """``prompt`` cut into parts, the matched spans marked; and the spans not found in it.

    A span is the matched text after normalisation (R7), so a disguised word
    (``ùndress``, ``u n d r e s s``) may not occur in the prompt as typed: those
    are listed apart instead of guessed at.
    """
    marks: list[tuple[int, int]] = []
    unplaced = []
    for span in dict.fromkeys(s for s in spans if s.strip()):
        hits = [(m.start(), m.end()) for m in re.finditer(re.escape(span), prompt, re.IGNORECASE)]
        if hits:
            marks.extend(hits)
        else:
            unplaced.append(span)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts, at = [], 0
    for start, end in merged:
        if start > at:
            parts.append(PromptPart(text=prompt[at:start]))
        parts.append(PromptPart(text=prompt[start:end], marked=True))
        at = end
    if at < len(prompt):
        parts.append(PromptPart(text=prompt[at:]))
    return parts, unplaced


def explain_decision(recorded: RecordedDecision) -> Explanation:
    """A screen's recorded decision in words."""
    decision = recorded.decision
    rules = tuple(
        RuleView(
            rule=r.rule,
            verdict=r.verdict,
            description=r.description,
            signals=tuple(signal_view(s) for s in r.signals),
            failures=tuple(f"{f.detector} {f.kind.value}: {f.message}" for f in r.failures),
        )
        for r in decision.reasons
    )
    signals = [*decision.signals, *(s for r in decision.reasons for s in r.signals)]
    spans = [ev.span for s in signals for ev in s.evidence if ev.span is not None]
    parts: list[PromptPart] = []
    unplaced: list[str] = []
    if recorded.prompt is not None:
        parts, unplaced = highlight(recorded.prompt, spans)
    return Explanation(
        verdict=decision.decision,
        policy=f"{decision.policy_id} {decision.policy_version}",
        rules=rules,
        banks=tuple(_bank_matches(signals)),
        prompt=tuple(parts),
        prompt_kept=recorded.prompt is not None,
        unplaced_spans=tuple(unplaced),
        disguises=decision.disguises,
    )


def explain_opening(data: dict[str, Any]) -> Explanation:
    """What a case opened without a screen's decision says (a retro-match, a flood alert)."""
    banks: tuple[BankMatch, ...] = ()
    if "bank" in data:
        entry = data.get("entry_id")
        banks = (
            BankMatch(
                bank=str(data["bank"]),
                entry=None if entry is None else str(entry),
                distance=data.get("distance") if isinstance(data.get("distance"), int) else None,
                hash_type=data.get("hash_type") if isinstance(data.get("hash_type"), str) else None,
            ),
        )
    facts = tuple(
        (key.replace("_", " "), str(data[key]))
        for key in ("bank_kind", "target", "decision", "rules")
        if key in data
    )
    return Explanation(banks=banks, facts=facts)
