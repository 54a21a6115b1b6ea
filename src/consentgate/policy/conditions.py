"""The condition language of policy rules.

A condition is exactly one of::

    signal: LABEL | [LABEL, ...]    # a fired signal with one of these labels ...
    target: TARGET | [TARGET, ...]  # ... optionally only about these parts of the request
    band: fired | review | flagged  # ... fired (the default), uncertain (in its review band),
                                    #     or either
    readable: true | false          # ... only its evidence about a readable (unreadable) face
    min_score: SCORE                # ... only its evidence scoring at least this much
    mode: MODE | [MODE, ...]        # the request's mode
    adult_mode: true | false        # the service's adult-mode switch
    detector_failed: true           # some detector raised or timed out
    all: [CONDITION, ...]           # every one holds
    any: [CONDITION, ...]           # at least one holds
    not: CONDITION                  # does not hold
    same_person: [CONDITION, CONDITION]  # both hold, through signals about one person
                                         # (see ``consentgate.policy.persons``)

Evaluating a condition returns whether it holds and the signals and failures
that made it hold, so that every reason names its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from consentgate.policy.persons import same_person
from consentgate.records import (
    DetectorFailure,
    Evidence,
    LabelName,
    Mode,
    Record,
    Signal,
    Target,
)

_KINDS = (
    "all",
    "any",
    "not_",
    "same_person",
    "signal",
    "mode",
    "adult_mode",
    "detector_failed",
)


class Band(StrEnum):
    """Which signals a ``signal`` condition counts."""

    FIRED = "fired"  # score at or above the threshold
    REVIEW = "review"  # score in the review band, below the threshold (``Signal.uncertain``)
    FLAGGED = "flagged"  # either: any sign at all, confident or not


@dataclass(frozen=True, slots=True)
class Facts:
    """What a policy decides on."""

    mode: Mode
    adult_mode: bool
    signals: tuple[Signal, ...]
    failures: tuple[DetectorFailure, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    holds: bool
    signals: tuple[Signal, ...] = ()
    failures: tuple[DetectorFailure, ...] = ()


_FALSE = Outcome(False)


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


class Condition(Record):
    all: tuple[Condition, ...] | None = Field(None, min_length=1)
    any: tuple[Condition, ...] | None = Field(None, min_length=1)
    not_: Condition | None = Field(None, alias="not")
    signal: tuple[LabelName, ...] | None = Field(None, min_length=1)
    target: tuple[Target, ...] | None = Field(None, min_length=1)
    band: Band | None = None
    readable: bool | None = None
    min_score: float | None = Field(None, ge=0.0, le=1.0)
    same_person: tuple[Condition, Condition] | None = None
    mode: tuple[Mode, ...] | None = Field(None, min_length=1)
    adult_mode: bool | None = None
    detector_failed: bool | None = None

    _normalise = field_validator("signal", "target", "mode", mode="before")(_as_tuple)

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Condition:
        if self.target is not None and self.signal is None:
            raise ValueError("'target' is only allowed together with 'signal'")
        for key in ("band", "readable", "min_score"):
            if getattr(self, key) is not None and self.signal is None:
                raise ValueError(f"'{key}' is only allowed together with 'signal'")
        present = [k for k in _KINDS if getattr(self, k) is not None]
        if len(present) != 1:
            names = ", ".join(k.rstrip("_") for k in _KINDS)
            raise ValueError(f"a condition needs exactly one of: {names}")
        return self

    def evaluate(self, facts: Facts) -> Outcome:
        if self.signal is not None:
            hits = tuple(
                narrowed
                for s in facts.signals
                if self._in_band(s)
                and s.label in self.signal
                and (self.target is None or s.target in self.target)
                and (narrowed := self._narrowed(s)) is not None
            )
            return Outcome(True, hits) if hits else _FALSE
        if self.mode is not None:
            return Outcome(facts.mode in self.mode)
        if self.adult_mode is not None:
            return Outcome(facts.adult_mode == self.adult_mode)
        if self.detector_failed is not None:
            failed = bool(facts.failures)
            if failed == self.detector_failed:
                return Outcome(True, failures=facts.failures)
            return _FALSE
        if self.not_ is not None:
            return Outcome(not self.not_.evaluate(facts).holds)
        if self.same_person is not None:
            return _same_person(*(c.evaluate(facts) for c in self.same_person))
        if self.all is not None:
            parts = [c.evaluate(facts) for c in self.all]
            if not all(p.holds for p in parts):
                return _FALSE
            return _merge(parts)
        assert self.any is not None
        held = [p for p in (c.evaluate(facts) for c in self.any) if p.holds]
        return _merge(held) if held else _FALSE

    def _in_band(self, signal: Signal) -> bool:
        if self.band is Band.REVIEW:
            return signal.uncertain
        if self.band is Band.FLAGGED:
            return signal.fired or signal.uncertain
        return signal.fired

    def _narrowed(self, signal: Signal) -> Signal | None:
        """The signal with only the evidence ``readable`` and ``min_score`` accept (None: none).

        Why narrow and not just test: a signal groups several faces, and ``same_person``
        must pair only the faces that earned the condition (a confident, readable child),
        not a clothed adult beside them whose face shares the signal."""
        if self.readable is None and self.min_score is None:
            return signal
        kept = tuple(e for e in signal.evidence if self._accepts(e, signal.score))
        if not kept and (self.readable is not None or signal.evidence):
            return None
        if not kept:  # no evidence at all: the signal's own score decides
            return signal if signal.score >= (self.min_score or 0.0) else None
        if len(kept) == len(signal.evidence):
            return signal
        return signal.model_copy(update={"evidence": kept})

    def _accepts(self, evidence: Evidence, score: float) -> bool:
        if self.readable is not None and evidence.readable is not self.readable:
            return False
        own = evidence.score if evidence.score is not None else score
        return self.min_score is None or own >= self.min_score


def _same_person(first: Outcome, second: Outcome) -> Outcome:
    """Holds when some signal behind each side concerns the same person; names those."""
    if not (first.holds and second.holds):
        return _FALSE
    pairs = [(a, b) for a in first.signals for b in second.signals if same_person(a, b)]
    if not pairs:
        return _FALSE
    return _merge([Outcome(True, pair) for pair in pairs])


def _merge(parts: list[Outcome]) -> Outcome:
    signals: dict[int, Signal] = {}
    failures: dict[int, DetectorFailure] = {}
    for part in parts:
        signals.update((id(s), s) for s in part.signals)
        failures.update((id(f), f) for f in part.failures)
    return Outcome(True, tuple(signals.values()), tuple(failures.values()))
