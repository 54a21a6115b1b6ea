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
screens go through ``Gate``, the in-process API, which records nothing.
It speaks the OpenAI Images shape (``encode``, ``refusal``, ``read_refusal``)
and serves no routes: ``consentgate proxy`` cannot put it in front of anything.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from PIL import Image, ImageDraw

from consentgate.errors import BadInput, TooLarge
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
from consentgate.records import Decision, Verdict
from consentgate.settings import Settings

GateFactory = Callable[[Settings | None], Gate]


def drawn_landscape(width: int = 256, height: int = 160) -> bytes:
    """A benign drawn picture (sky, two hills, a sun), as PNG bytes: what ``self`` generates."""
    img = Image.new("RGB", (width, height), (120, 180, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((180, 15, 220, 55), fill=(250, 220, 80))
    draw.polygon([(0, height), (80, 70), (160, height)], fill=(70, 140, 70))
    draw.polygon([(110, height), (190, 85), (width, height)], fill=(50, 120, 60))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _gate(settings: Settings | None) -> Gate:
    return Gate(settings)


class SelfAdapter(OpenAIImagesAdapter):
    """The OpenAI Images spelling, answered by ConsentGate's gate in process."""

    name = "self"
    routes: tuple[Route, ...] = ()

    def __init__(self, gate_factory: GateFactory = _gate) -> None:
        self._gate_factory = gate_factory

    def connect(self, connection: Connection) -> Endpoint:
        """A ``GateEndpoint`` over a new gate (from ``connection.settings``); no URL needed."""
        return GateEndpoint(self._gate_factory(connection.settings))


class GateEndpoint(Endpoint):
    """Calls ``gate`` as the gateway would call its screens; owns and closes the gate."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
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
        await asyncio.to_thread(self.gate.close)


def _refused(decision: Decision) -> Outcome:
    code, message = REFUSALS[decision.decision]
    return Outcome.refused(Refusal(code, message, decision.id), 400)
