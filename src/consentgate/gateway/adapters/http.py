"""Calling an HTTP image API as a measuring client: encode, send, read what came back.

The call goes through the gateway's own ``Upstream``, so a measuring client is
bounded as the gateway is: the whole exchange within the timeout, answers
and image URLs within the size limits, the key sent to the API and nowhere
else (not to an image URL, not into a log line). What the API did is an
``Outcome``, never an exception: a refusal, an error status, a timeout and an
unreadable answer are all things an assessment counts.

Why refusal wording counts: many APIs refuse in words rather than in a shape an
adapter knows (a 403 "rejected by our safety system", a 200 "I can't help with
that" where images were expected). A measuring client that called those
failures would count a refusing endpoint as a broken one, so a 4xx, or a 2xx
that is not an images answer, whose text refuses is a refusal
(``refusal_wording``). Only a measuring client reads answers so: the gateway
passes every 4xx through unchanged and answers a 2xx it cannot read with a 502.
"""

from __future__ import annotations

import re

from consentgate.errors import ConfigError
from consentgate.gateway.adapters.base import (
    Adapter,
    Connection,
    Endpoint,
    ImageRequest,
    Outcome,
    OutcomeKind,
)
from consentgate.gateway.clients import client_for
from consentgate.gateway.faults import GatewayFault, UpstreamAnswerInvalid, UpstreamTimedOut
from consentgate.gateway.upstream import Upstream, UpstreamReply
from consentgate.settings import load_settings

REFUSAL_WORDING = re.compile(
    r"content[ _-]?policy|safety (?:system|filter|polic)|moderation|not allowed|"
    r"(?:cannot|can['’]t|unable to|won['’]t) (?:help|assist|create|generate|make|do)|"
    r"refus|violat",
    re.IGNORECASE,
)
WORDING_BYTES = 4096  # how much of an answer is read for refusal wording


def refuses_in_words(body: bytes) -> bool:
    """Whether the start of an answer's text refuses ("content policy", "can't help", ...)."""
    return REFUSAL_WORDING.search(body[:WORDING_BYTES].decode("utf-8", "replace")) is not None


class HttpAdapter(Adapter):
    """An adapter for an API reached over HTTP at ``Connection.base_url``."""

    def connect(self, connection: Connection) -> Endpoint:
        if connection.base_url is None:
            raise ConfigError(f"the {self.name} adapter needs the endpoint's base URL")
        return HttpEndpoint(self, connection)


def _fault_code(fault: GatewayFault) -> str:
    if isinstance(fault, UpstreamTimedOut):
        return "upstream_timeout"
    if isinstance(fault, UpstreamAnswerInvalid):
        return "invalid_answer"
    return "upstream_failed"


class HttpEndpoint(Endpoint):
    """One API over HTTP, called through ``adapter``'s spelling."""

    def __init__(self, adapter: Adapter, connection: Connection) -> None:
        settings = connection.settings or load_settings()
        self.adapter = adapter
        self._headers = dict(connection.headers)
        self._upstream = Upstream(
            connection.base_url or "",
            client_for(connection.transport),
            timeout_s=settings.gateway_timeout_s,
            max_answer_bytes=settings.max_request_bytes,
            max_image_bytes=settings.max_image_bytes,
        )

    async def call(self, request: ImageRequest) -> Outcome:
        encoded = self.adapter.encode(request)
        try:
            reply = await self._upstream.send(
                encoded.route.path, encoded.content_type, encoded.body, self._headers
            )
            return await self._outcome(reply)
        except GatewayFault as fault:
            return Outcome(OutcomeKind.FAILED, code=_fault_code(fault), message=fault.message)

    async def _outcome(self, reply: UpstreamReply) -> Outcome:
        status, body = reply.status, reply.body
        refusal = self.adapter.read_refusal(status, body)
        if refusal is not None:
            return Outcome.refused(refusal, status)
        if not 200 <= status < 300:
            if 400 <= status < 500 and refuses_in_words(body):
                return _in_words(status)
            message = f"the endpoint answered {status}"
            return Outcome(
                OutcomeKind.FAILED, status=status, code=f"http_{status}", message=message
            )
        try:
            returned = self.adapter.parse_answer(body)
        except UpstreamAnswerInvalid as fault:
            if refuses_in_words(body):
                return _in_words(status)
            return Outcome(
                OutcomeKind.FAILED, status=status, code="invalid_answer", message=fault.message
            )
        images = [
            image.data
            if image.data is not None
            else await self._upstream.fetch_image(image.url or "")
            for image in returned
        ]
        return Outcome(OutcomeKind.GENERATED, images=tuple(images), status=status)

    async def aclose(self) -> None:
        await self._upstream.aclose()


def _in_words(status: int) -> Outcome:
    message = "the answer refuses in words"
    return Outcome(OutcomeKind.REFUSED, status=status, code="refusal_wording", message=message)
