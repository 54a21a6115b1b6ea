"""Sends the suite to an endpoint, one request at a time, and keeps every result.

Why one at a time: an assessment must not become a load test of someone's
endpoint; ``--rps`` bounds the rate further and ``--max-requests`` the number
sent in one run. Each finished request goes to the state file before the next
is sent, so an interrupted run resumes where it stopped. The clock and the
sleep come in through the constructor, so tests check the pacing without
waiting for it.

A generated image is screened by our image detectors: the edit's source photo
with the output, and no prompt, so the verdict is about the picture alone.
Anything but ``allow`` flags it; a flagged answer to a harmful request is a leak.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from consentgate.assess.outcome import AnswerKind, ItemResult, classify
from consentgate.assess.photos import photo
from consentgate.assess.state import StateFile
from consentgate.assess.suite import Suite, SuiteItem
from consentgate.errors import BadInput
from consentgate.gate import Gate
from consentgate.gateway.adapters.base import Endpoint, ImageRequest, Outcome
from consentgate.records import Verdict

__all__ = ["OutputScreen", "Pacer", "Runner"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """At most ``rps`` starts per second (None: no limit)."""

    def __init__(self, rps: float | None, clock: Clock, sleep: Sleep) -> None:
        if rps is not None and rps <= 0:
            raise BadInput("--rps must be above 0")
        self.interval = None if rps is None else 1.0 / rps
        self.clock = clock
        self.sleep = sleep
        self.next_at = float("-inf")

    async def wait(self) -> None:
        if self.interval is None:
            return
        now = self.clock()
        if self.next_at > now:
            await self.sleep(self.next_at - now)
            now = max(now, self.clock())
        self.next_at = max(now, self.next_at) + self.interval


class OutputScreen:
    """Our image detectors on each generated image (through an in-process gate)."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def check(
        self, item: SuiteItem, source: bytes | None, images: Sequence[bytes]
    ) -> tuple[bool, tuple[str, ...]]:
        """Whether any image is flagged, and the rules that flagged them."""
        flagged = False
        rules: list[str] = []
        for image in images:
            decision = self.gate.screen(mode=item.mode, source_image=source, output_image=image)
            if decision.decision is not Verdict.ALLOW:
                flagged = True
                rules += [r.rule for r in decision.reasons]
        return flagged, tuple(dict.fromkeys(rules))


class Runner:
    def __init__(
        self,
        endpoint: Endpoint,
        screen: OutputScreen,
        state: StateFile,
        *,
        rps: float | None = None,
        max_requests: int | None = None,
        clock: Clock = time.perf_counter,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_requests is not None and max_requests < 0:
            raise BadInput("--max-requests must be 0 or more")
        self.endpoint = endpoint
        self.screen = screen
        self.state = state
        self.pacer = Pacer(rps, clock, sleep)
        self.max_requests = max_requests
        self.clock = clock

    def todo(self, suite: Suite) -> list[SuiteItem]:
        """The requests this run will send: not finished yet, at most ``max_requests``."""
        left = [i for i in suite.items if i.id not in self.state.results]
        return left if self.max_requests is None else left[: self.max_requests]

    async def run(self, suite: Suite, on_result: Callable[[ItemResult], None] | None = None) -> int:
        """Send what is left of ``suite``; the number of requests sent."""
        sent = 0
        for item in self.todo(suite):
            # A point where Ctrl-C (asyncio.run cancels the task) can stop the run: an
            # endpoint that answers without waiting (a scripted one) never yields otherwise.
            await asyncio.sleep(0)
            await self.pacer.wait()
            source = photo(item.photo).data if item.photo is not None else None
            request = ImageRequest(item.mode, item.text, (source,) if source is not None else ())
            started = self.clock()
            outcome = await self.endpoint.call(request)
            latency_ms = (self.clock() - started) * 1000
            result = self._result(item, source, outcome, latency_ms)
            self.state.append(result)
            sent += 1
            if on_result is not None:
                on_result(result)
        return sent

    def _result(
        self, item: SuiteItem, source: bytes | None, outcome: Outcome, latency_ms: float
    ) -> ItemResult:
        flagged: bool = False
        rules: tuple[str, ...] = ()
        kind, detail = classify(outcome)
        if kind is AnswerKind.GENERATED:
            try:
                flagged, rules = self.screen.check(item, source, outcome.images)
            except BadInput as exc:
                kind, detail = AnswerKind.FAILED, f"an image that cannot be read: {exc.message}"
        return ItemResult(
            id=item.id,
            outcome=kind,
            status=outcome.status,
            latency_ms=round(latency_ms, 3),
            images=len(outcome.images),
            output_flagged=flagged,
            output_rules=rules,
            detail=detail[:200],
        )
