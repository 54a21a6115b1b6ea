"""The gateway's two screens: the request before it is forwarded, each output after.

Every screen goes through ``Services.screen``, the path ``POST /v1/screen``
takes: the decision and the images' hashes are recorded, and a ``review`` (or
an escalation) opens its case, in one transaction, before the gateway answers.
A request with several source photos is screened once per photo (the record
holds one source); an output is screened with the request's prompt and its
first source photo, so R5 (nudity in an output of a real person's photo)
applies. The most severe decision wins: block beats review beats allow.
The mask is not screened: it only says where to paint, and is bounded by the
request limit like everything else.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from consentgate.api.intake import validation_error
from consentgate.errors import BadInput
from consentgate.gateway.adapters.base import ImageRequest
from consentgate.gateway.faults import UpstreamAnswerInvalid
from consentgate.gateway.refusals import most_severe
from consentgate.records import Decision, ScreenRequest
from consentgate.service.wiring import Services


def _request(asked: ImageRequest, source: bytes | None, output: bytes | None) -> ScreenRequest:
    try:
        return ScreenRequest(
            mode=asked.mode, prompt=asked.prompt, source_image=source, output_image=output
        )
    except ValidationError as exc:
        raise validation_error(exc) from None


class GatewayScreen:
    """Screens through the service's own recorded path, off the event loop."""

    def __init__(self, services: Services, *, key_id: str | None = None) -> None:
        self.services = services
        self.key_id = key_id

    async def _screen(self, request: ScreenRequest) -> Decision:
        return await run_in_threadpool(self.services.screen, request, key_id=self.key_id)

    async def before(self, asked: ImageRequest) -> Decision:
        """The request (prompt and each source photo) before anything is forwarded."""
        sources: Sequence[bytes | None] = asked.sources or (None,)
        return most_severe([await self._screen(_request(asked, s, None)) for s in sources])

    async def after(self, asked: ImageRequest, outputs: Sequence[bytes]) -> Decision | None:
        """Each returned image as an output; None when the upstream returned none."""
        source = asked.sources[0] if asked.sources else None
        decisions = []
        for output in outputs:
            try:
                decisions.append(await self._screen(_request(asked, source, output)))
            except BadInput as exc:  # an output that cannot be decoded is the upstream's fault
                raise UpstreamAnswerInvalid(
                    f"the upstream returned an image that cannot be screened: {exc.message}"
                ) from None
        return most_severe(decisions) if decisions else None
