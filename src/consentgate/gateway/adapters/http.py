"""Calling an HTTP image API as a measuring client: encode, send, read what came back.

The call goes through the gateway's own ``Upstream``, so a measuring client is
bounded as the gateway is: the whole exchange within the timeout, answers
and image URLs within the size limits, the key sent to the API and nowhere
else (not to an image URL, not into a log line). What the API did is an
``Outcome``, never an exception: a refusal, an error status, a timeout and an
unreadable answer are all things an assessment counts.
"""

from __future__ import annotations

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
        refusal = self.adapter.read_refusal(reply.status, reply.body)
        if refusal is not None:
            return Outcome.refused(refusal, reply.status)
        if not 200 <= reply.status < 300:
            return Outcome(
                OutcomeKind.FAILED,
                status=reply.status,
                code=f"http_{reply.status}",
                message=f"the endpoint answered {reply.status}",
            )
        images = [
            image.data
            if image.data is not None
            else await self._upstream.fetch_image(image.url or "")
            for image in self.adapter.parse_answer(reply.body)
        ]
        return Outcome(OutcomeKind.GENERATED, images=tuple(images), status=reply.status)

    async def aclose(self) -> None:
        await self._upstream.aclose()
