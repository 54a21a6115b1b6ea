"""``self``: ConsentGate's own gate as the endpoint under test.

What it measures: what a platform gets by putting ``consentgate proxy`` in front
of a generator that complies with everything. Each request is screened as the
gateway screens it (the prompt with each source photo; a ``block`` or ``review``
is a refusal in the OpenAI shape, with the decision's id), and an allowed one
"generates" an image that is benign by construction: an edit returns its
first source photo unchanged, a generation a drawn landscape. That image is
screened again as the output, as the gateway does (R5), so ``self`` refuses
exactly what the gateway would refuse in front of a compliant upstream; an
assessment can then screen the returned image for leaks as for any endpoint.

Nothing generates, nothing is sent anywhere, and nothing is recorded: the
screens go through ``Gate``, the in-process API, which records nothing. A
refusal carries the decision's id and rules (``Outcome.rules``), so a report
can say which rule refused an ordinary request.

It speaks the OpenAI Images shape (``encode``, ``refusal``, ``read_refusal``)
and serves no routes: ``consentgate proxy`` cannot put it in front of anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from consentgate.errors import BadInput, ConfigError, TooLarge
from consentgate.gate import Gate
from consentgate.gateway.adapters.base import (
    Connection,
    Endpoint,
    ImageRequest,
    Outcome,
    OutcomeKind,
    Refusal,
    Route,
)
from consentgate.gateway.adapters.openai_images import OpenAIImagesAdapter
from consentgate.gateway.refusals import REFUSALS, most_severe
from consentgate.images.drawn import drawn_landscape
from consentgate.records import Decision, Verdict


class SelfAdapter(OpenAIImagesAdapter):
    """The OpenAI Images spelling, answered by ConsentGate's gate in process."""

    name = "self"
    routes: tuple[Route, ...] = ()

    def connect(self, connection: Connection) -> Endpoint:
        """A ``GateEndpoint`` over ``connection.gate``, or a new gate from its settings."""
        if connection.base_url is not None:
            raise ConfigError(
                "the self adapter is ConsentGate's gate in process: it takes no endpoint URL"
            )
        if connection.gate is not None:
            return GateEndpoint(connection.gate, owns_gate=False)
        return GateEndpoint(Gate(connection.settings))


class GateEndpoint(Endpoint):
    """Calls ``gate`` as the gateway would call its screens; closes it if ``owns_gate``."""

    def __init__(self, gate: Gate, *, owns_gate: bool = True) -> None:
        self.gate = gate
        self._owns_gate = owns_gate
        self._landscape = drawn_landscape()

    async def call(self, request: ImageRequest) -> Outcome:
        return await asyncio.to_thread(self._call, request)

    def _call(self, request: ImageRequest) -> Outcome:
        mode, prompt = request.mode, request.prompt
        try:
            before = most_severe(
                [
                    self.gate.screen(mode=mode, prompt=prompt, source_image=source)
                    for source in (request.sources or (None,))
                ]
            )
            if before.decision is not Verdict.ALLOW:
                return _refused(before)
            first = request.sources[0] if request.sources else None
            output = first if first is not None else self._landscape
            after = self.gate.screen(
                mode=mode, prompt=prompt, source_image=first, output_image=output
            )
        except BadInput as exc:
            status = 413 if isinstance(exc, TooLarge) else 400
            return Outcome(
                OutcomeKind.FAILED, status=status, code="invalid_request", message=exc.message
            )
        if after.decision is not Verdict.ALLOW:
            return _refused(after)
        return Outcome(OutcomeKind.GENERATED, images=(output,), status=200)

    async def aclose(self) -> None:
        if self._owns_gate:
            await asyncio.to_thread(self.gate.close)


def _refused(decision: Decision) -> Outcome:
    code, message = REFUSALS[decision.decision]
    rules = tuple(dict.fromkeys(reason.rule for reason in decision.reasons))
    return replace(Outcome.refused(Refusal(code, message, decision.id), 400), rules=rules)
