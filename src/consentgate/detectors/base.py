"""The one detector contract.

A detector declares its identity on the class (``name``, ``version``, the
``targets`` it looks at) so that every signal can say exactly which code and
which model produced it. It has one work method, ``detect``, which returns
signals and never raises for a detection: raising means the detector failed,
and the engine turns that into an explicit failure outcome (never an allow).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

from consentgate.detectors.lookup import HashLookup
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, ModelRef, ScreenRequest, Signal, Target
from consentgate.settings import Settings
from consentgate.text.normalised import NormalisedText


class DeadlineExceeded(Exception):
    """Raised by a detector that noticed its screen's time budget is spent.

    Python cannot stop a thread from outside, so long-running detectors check
    ``ScreenInput.check_deadline()`` inside their loops and give up; the engine
    records the overrun as a timeout failure (review, never allow) and the
    worker thread is free again at once instead of finishing useless work.
    """


@dataclass(frozen=True, slots=True)
class ScreenInput:
    """What every detector sees: the request, its normalised prompt and decoded images.

    ``deadline`` is a ``time.perf_counter()`` reading after which the screen's
    detectors have run out of time (None: no budget, as in unit tests).
    """

    request: ScreenRequest
    text: NormalisedText | None = None
    source: DecodedImage | None = None
    output: DecodedImage | None = None
    deadline: float | None = None
    client: str | None = None  # who sent the request (an API key id), when known

    def check_deadline(self) -> None:
        """Raise ``DeadlineExceeded`` once the screen's time budget is spent."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise DeadlineExceeded

    def has(self, target: Target) -> bool:
        if target is Target.PROMPT:
            return self.text is not None
        if target is Target.SOURCE_IMAGE:
            return self.source is not None
        if target is Target.OUTPUT_IMAGE:
            return self.output is not None
        if target is Target.HISTORY:
            return bool(self.request.history)
        return True

    def image(self, target: Target) -> DecodedImage | None:
        if target is Target.SOURCE_IMAGE:
            return self.source
        if target is Target.OUTPUT_IMAGE:
            return self.output
        return None


@dataclass(frozen=True)
class DetectorContext:
    """Collaborators a detector may need when it is built (wired by the service)."""

    settings: Settings = field(default_factory=Settings)
    hash_lookup: HashLookup | None = None


class Detector(ABC):
    """Base of every detector, built-in or plug-in."""

    name: ClassVar[str]
    version: ClassVar[str]
    targets: ClassVar[frozenset[Target]]
    #: The labels this detector can emit. The policy's coverage check reads it to
    #: tell whether each part of a request was read for every protection it needs.
    provides: ClassVar[frozenset[str]] = frozenset()
    description: ClassVar[str] = ""
    #: Small, pure-Python and bounded in time: the engine may run it in the
    #: calling thread instead of the pool (an overrun still counts as a timeout).
    runs_inline: ClassVar[bool] = False
    #: Its signals depend on the normalised prompt and the request's mode alone
    #: (no image, no sender, no clock, nothing it counts): the engine may reuse
    #: them when the same prompt is screened again moments later, as it is
    #: before and after a generation.
    prompt_only: ClassVar[bool] = False
    #: Its signals (every one among ``provides``) count only beside other signals, as
    #: faces and ages do: the engine may run it after the others, and not at all where
    #: the policy shows its signals cannot change the decision (``policy.relevance``).
    runs_second: ClassVar[bool] = False

    @property
    def model(self) -> ModelRef | None:
        """The pinned model this instance runs, if any."""
        return None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this detector cannot run here (a missing optional extra), or None."""
        return None

    @classmethod
    def from_context(cls, context: DetectorContext) -> Self:
        """Build the detector from start-up collaborators. Override when it needs any."""
        return cls()

    def warm_up(self) -> None:  # noqa: B027 - optional hook
        """Load models now rather than on the first request."""

    def applies_to(self, inp: ScreenInput) -> bool:
        return bool(self.reads(inp))

    def reads(self, inp: ScreenInput) -> frozenset[Target]:
        """The parts of this input the detector looks at (for the coverage check)."""
        return frozenset(t for t in self.targets if inp.has(t))

    @abstractmethod
    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        """Return this detector's signals for the input. Raise only on failure."""

    def signal(
        self,
        label: str,
        target: Target,
        score: float,
        threshold: float,
        *evidence: Evidence,
        review_threshold: float | None = None,
    ) -> Signal:
        """Build a signal stamped with this detector's identity and model.

        ``review_threshold``: the lower edge of a review band under ``threshold``
        (a score in it is uncertain, see ``Signal.uncertain``)."""
        return Signal(
            detector=self.name,
            detector_version=self.version,
            model=self.model,
            label=label,
            target=target,
            score=min(1.0, max(0.0, float(score))),
            threshold=threshold,
            review_threshold=review_threshold,
            evidence=evidence,
        )
