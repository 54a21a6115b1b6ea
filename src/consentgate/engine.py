"""The screening engine: prepare a request, run detectors concurrently, apply the policy.

The engine is the one place where a request becomes a Decision. Shells (CLI,
HTTP API, console) only translate to and from it. Collaborators come through
the constructor; ``ScreeningEngine.build`` wires the installed defaults.

Why the engine remembers recent prompts: a generation is screened twice,
before (prompt and source photo) and after (the same, with the output), and
the prompt detectors are most of a screen's cost. A detector that declares
``prompt_only`` (its signals depend on the prompt and the mode alone) runs
once per prompt and mode among the last ``RECENT_PROMPTS`` screened; the
second screen reuses its signals, as the images' memo reuses the source
photo's findings. The memory is the engine's own, so two engines (two
``Gate``s with different detectors or thresholds) never share it. A detector
that failed or ran out of time is not remembered: the next screen runs it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

from consentgate.decision_cache import DecisionCache, again, cache_key
from consentgate.detector_run import Outcome, run_detectors
from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.errors import ConfigError
from consentgate.images.decoded import DecodedImage
from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits
from consentgate.images.memo import Memo, RecentMemos
from consentgate.in_order import map_in_order
from consentgate.policy.conditions import Facts
from consentgate.policy.coverage import READ_TARGETS, CoverageGap, gaps
from consentgate.policy.loader import load_policy
from consentgate.policy.policy import Policy
from consentgate.policy.relevance import could_change, deferrable_set
from consentgate.records import (
    Decision,
    DetectorFailure,
    DetectorFailureKind,
    DetectorTiming,
    Label,
    ScreenRequest,
    Signal,
    Subject,
    Target,
)
from consentgate.settings import Settings
from consentgate.text.normalise import normalise
from consentgate.threads import flush_denormals, one_blas_thread

log = logging.getLogger(__name__)

RECENT_PROMPTS = 64
"""Prompts whose prompt-only signals an engine remembers (a few kilobytes each)."""

HINT_DETECTOR = "caller_hint"
HINT_VERSION = "1"

ImageDecoder = Callable[[bytes, Settings], DecodedImage]


def _default_decoder(data: bytes, settings: Settings) -> DecodedImage:
    return decode_image(data, ImageLimits.from_settings(settings))


def hint_signals(request: ScreenRequest) -> tuple[Signal, ...]:
    """Caller hints as signals. They can only add facts, never remove them (R8)."""
    label = {Subject.REAL_PERSON: Label.REAL_PERSON, Subject.MINOR: Label.MINOR}.get(
        request.subject or Subject.NONE
    )
    if label is None:
        return ()
    return (
        Signal(
            detector=HINT_DETECTOR,
            detector_version=HINT_VERSION,
            label=label,
            target=Target.REQUEST,
            score=1.0,
            threshold=1.0,
        ),
    )


class ScreeningEngine:
    """Screens requests with a registry of detectors and a policy."""

    def __init__(
        self,
        registry: DetectorRegistry,
        policy: Policy,
        *,
        settings: Settings | None = None,
        decoder: ImageDecoder = _default_decoder,
        max_workers: int | None = None,
        recent_prompts: int = RECENT_PROMPTS,
    ) -> None:
        self.registry = registry
        self.policy = policy
        self.settings = settings or Settings()
        self._decoder = decoder
        if max_workers is None:  # with the batcher on, a full batch can be in flight at once
            batching = self.settings.batch_wait_ms > 0
            max_workers = max(8, self.settings.batch_max) if batching else 8
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="detector", initializer=flush_denormals
        )
        self._deferred: frozenset[str] = frozenset()
        self._deferred_for: tuple[str, ...] | None = None
        self._recent_prompts = RecentMemos(recent_prompts)
        size = self.settings.decision_cache
        self.cache = DecisionCache(size) if size > 0 else None

    @classmethod
    def build(
        cls, settings: Settings | None = None, context: DetectorContext | None = None
    ) -> ScreeningEngine:
        """The engine with every installed detector and the configured policy."""
        settings = settings or Settings()
        policy = load_policy(settings.policy_path)  # validate configuration first
        one_blas_thread()  # as every model runs: the pool gives the parallelism
        context = context or DetectorContext(settings=settings)
        registry = DetectorRegistry.from_entry_points(
            context, only=settings.detectors, exclude=settings.disabled_detectors
        )
        if not len(registry):
            # Screening with no detectors would allow everything: refuse to start.
            raise ConfigError("no detectors are installed or enabled")
        return cls(registry, policy, settings=settings)

    @property
    def adult_mode(self) -> bool:
        return self.settings.adult_mode or self.policy.adult_mode

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def protections_off(self) -> tuple[CoverageGap, ...]:
        """Protections of the policy that no running detector provides for some part
        of a request (what ``/readyz`` and ``consentgate detectors`` report)."""
        read = {
            target: {label for d in self.registry if target in d.targets for label in d.provides}
            for target in READ_TARGETS
        }
        return gaps(self.policy.coverage, read)

    def _coverage_failures(
        self, inp: ScreenInput, detectors: list[Detector]
    ) -> tuple[DetectorFailure, ...]:
        """A ``missing`` failure for each part of this request not read for a protection."""
        read: dict[Target, set[str]] = {t: set() for t in READ_TARGETS if inp.has(t)}
        for detector in detectors:
            for target in detector.reads(inp):
                read.setdefault(target, set()).update(detector.provides)
        return tuple(gap.failure() for gap in gaps(self.policy.coverage, read))

    def prepare(self, request: ScreenRequest, *, client: str | None = None) -> ScreenInput:
        """Normalise the prompt and decode images once; bad images raise BadInput.

        ``client`` (who sent it, e.g. an API key id) is passed on to detectors
        that count per sender, such as the hash matcher's flood protection.
        """
        decode = self._decoder
        return ScreenInput(
            request=request,
            client=client,
            text=normalise(request.prompt) if request.prompt else None,
            source=decode(request.source_image, self.settings) if request.source_image else None,
            output=decode(request.output_image, self.settings) if request.output_image else None,
        )

    def screen(self, request: ScreenRequest) -> Decision:
        return self.screen_prepared(self.prepare(request), started=time.perf_counter())

    def screen_prepared(self, inp: ScreenInput, *, started: float | None = None) -> Decision:
        """Screen an input from ``prepare``; callers that need the decoded images
        afterwards (e.g. to record their hashes) keep ``inp`` and decode only once.
        ``started`` (a ``perf_counter`` reading) makes ``total_ms`` include the decode.
        """
        started = time.perf_counter() if started is None else started
        request = inp.request
        detectors = self.registry.for_input(inp)
        key = cache_key(inp, detectors, self.adult_mode) if self.cache is not None else None
        if key is not None and self.cache is not None:
            hit = self.cache.get(key, self.policy)
            if hit is not None:
                return again(hit, request, started)
        signals, failures, timings = self._run_detectors(inp, detectors)
        hints = hint_signals(request)
        ruling = self.policy.decide(Facts(request.mode, self.adult_mode, signals, failures))
        if hints:
            ruling = ruling.stricter(
                self.policy.decide(Facts(request.mode, self.adult_mode, signals + hints, failures))
            )
        decision = Decision(
            request_id=request.id,
            mode=request.mode,
            decision=ruling.verdict,
            reasons=ruling.reasons,
            escalate=ruling.escalate,
            policy_id=self.policy.id,
            policy_version=self.policy.version,
            signals=signals + hints,
            failures=failures,
            timings=timings,
            total_ms=round((time.perf_counter() - started) * 1000, 3),
            disguises=inp.text.disguises if inp.text is not None else (),
        )
        settled = all(f.kind is DetectorFailureKind.MISSING for f in failures)
        if key is not None and self.cache is not None and settled:
            self.cache.put(key, self.policy, decision)  # a timeout or error is retried
        return decision

    @property
    def batch_window(self) -> int:
        """How many screens a batch caller runs at once: a full encoder batch with the
        batcher on, else one."""
        return self.settings.batch_max if self.settings.batch_wait_ms > 0 else 1

    def screen_many(self, requests: Iterable[ScreenRequest]) -> Iterator[Decision]:
        """Decisions in input order, ``batch_window`` screens at once (their prompts
        share encoder batches); each keeps its own time budget. An exception (a bad
        image) is raised at its request's turn."""
        return map_in_order(self.screen, requests, window=self.batch_window)

    def _run_detectors(
        self, inp: ScreenInput, detectors: list[Detector]
    ) -> tuple[tuple[Signal, ...], tuple[DetectorFailure, ...], tuple[DetectorTiming, ...]]:
        """Run every applicable detector within one time budget (``detector_run``).

        Detectors whose signals count only beside others (``runs_second``: faces
        and age) run only where the other detectors' signals leave the decision
        open to them (``policy.relevance``), so the decision is the same either
        way; ``CONSENTGATE_ALL_SIGNALS`` runs them always. The coverage check
        counts them as read in both cases.
        """
        coverage_failures = self._coverage_failures(inp, detectors)
        deadline = time.perf_counter() + self.settings.detector_timeout_s
        inp = dataclasses.replace(inp, deadline=deadline)
        deferred = frozenset() if self.settings.all_signals else self._deferrable()
        later = [d for d in detectors if d.name in deferred]
        first = [d for d in detectors if d.name not in deferred]

        def relevant(outcomes: Mapping[str, Outcome]) -> bool:
            return self._could_change(inp, later, outcomes, coverage_failures)

        memo = self._prompt_memo(inp)
        outcomes = run_detectors(self._pool, first, later, inp, deadline, relevant, memo)
        signals: list[Signal] = []
        failures: list[DetectorFailure] = []
        timings: list[DetectorTiming] = []
        for detector in detectors:  # registry order, whichever thread ran it
            outcome = outcomes.get(detector.name)
            if outcome is None:  # deferred, and its signals could not change the decision
                continue
            if isinstance(outcome, DetectorFailure):
                failures.append(outcome)
                continue
            signals.extend(outcome[0])
            timings.append(DetectorTiming(detector=detector.name, ms=round(outcome[1], 3)))
        failures.extend(coverage_failures)
        return tuple(signals), tuple(failures), tuple(timings)

    def _prompt_memo(self, inp: ScreenInput) -> Memo | None:
        """The memo of this prompt and mode's prompt-only signals (None: no prompt)."""
        if inp.text is None:
            return None
        digest = hashlib.sha256(inp.text.original.encode("utf-8", "surrogatepass")).hexdigest()
        return self._recent_prompts.memo(f"{inp.request.mode.value}/{digest}")

    def _deferrable(self) -> frozenset[str]:
        """Names of the detectors that run second (computed once per set of detectors)."""
        names = tuple(self.registry.names())
        if self._deferred_for != names:
            self._deferred = deferrable_set(
                self.policy,
                {
                    d.name: frozenset((label, t) for label in d.provides for t in d.targets)
                    for d in self.registry
                    if d.runs_second
                },
            )
            self._deferred_for = names
        return self._deferred

    def _could_change(
        self,
        inp: ScreenInput,
        later: list[Detector],
        outcomes: Mapping[str, Outcome],
        coverage_failures: tuple[DetectorFailure, ...],
    ) -> bool:
        found = [o for o in outcomes.values() if not isinstance(o, DetectorFailure)]
        signals = tuple(s for o in found for s in o[0])
        failed = tuple(o for o in outcomes.values() if isinstance(o, DetectorFailure))
        failures = failed + coverage_failures
        mode, adult = inp.request.mode, self.adult_mode
        facts = [Facts(mode, adult, signals, failures)]
        hints = hint_signals(inp.request)
        if hints:
            facts.append(Facts(mode, adult, signals + hints, failures))
        pending = frozenset(
            (label, target) for d in later for label in d.provides for target in d.reads(inp)
        )
        return could_change(self.policy, facts, pending)
