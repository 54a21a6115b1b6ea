"""The upstream as the gateway sees it: one bounded call, one bounded image fetch.

Bounded by construction: every answer is read in chunks and dropped as soon as
it passes its limit (the request limit for an answer, the image limit for an
image URL), decompressed bytes counted, and the whole exchange, not each read,
must end within ``timeout_s`` (a slow drip of bytes cannot hold a worker).
Only the headers an image API authenticates with pass through; the client's
key goes to the upstream and nowhere else: never to an image URL, never into
a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from consentgate.gateway.clients import TRANSPORT_ERRORS, HttpClient
from consentgate.gateway.faults import UpstreamFailed, UpstreamTimedOut

log = logging.getLogger(__name__)

FORWARDED = ("authorization", "openai-organization", "openai-project", "api-key", "x-api-key")


@dataclass(frozen=True)
class UpstreamReply:
    status: int
    content_type: str
    body: bytes


def forwarded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The client's credentials and account headers, nothing else (no Host, no cookies)."""
    return {name: headers[name] for name in FORWARDED if name in headers}


class Upstream:
    """Sends requests to ``base_url`` through ``client`` within the limits; owns the client."""

    def __init__(
        self,
        base_url: str,
        client: HttpClient,
        *,
        timeout_s: float,
        max_answer_bytes: int,
        max_image_bytes: int,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.timeout_s = timeout_s
        self.max_answer_bytes = max_answer_bytes
        self.max_image_bytes = max_image_bytes

    async def send(
        self, path: str, content_type: str, body: bytes, headers: Mapping[str, str]
    ) -> UpstreamReply:
        headers = {**headers, "content-type": content_type}
        return await self._bounded(
            "POST", self.base_url + path, headers, body, self.max_answer_bytes, "the upstream"
        )

    async def fetch_image(self, url: str) -> bytes:
        """An output image named by URL, fetched without the client's credentials."""
        if not url.startswith(("http://", "https://")):
            raise UpstreamFailed("the upstream named an output image by a URL that is not http(s)")
        reply = await self._bounded(
            "GET", url, {}, None, self.max_image_bytes, "an output image URL"
        )
        if reply.status != 200:
            raise UpstreamFailed(f"an output image URL answered {reply.status}")
        return reply.body

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _bounded(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        limit: int,
        what: str,
    ) -> UpstreamReply:
        try:
            async with asyncio.timeout(self.timeout_s):
                return await self._read(method, url, headers, body, limit, what)
        except TimeoutError:
            log.warning("%s took longer than %.1f s", what, self.timeout_s)
            raise UpstreamTimedOut(f"{what} did not answer in time") from None
        except TRANSPORT_ERRORS as exc:
            log.warning("%s could not be reached (%s)", what, type(exc).__name__)
            raise UpstreamFailed(f"{what} could not be reached") from None

    async def _read(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        limit: int,
        what: str,
    ) -> UpstreamReply:
        async with self.client.open(method, url, headers, body) as answer:
            declared = answer.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise UpstreamFailed(f"{what} answered over the {limit}-byte limit")
            received = bytearray()
            async for chunk in answer.chunks:
                received += chunk
                if len(received) > limit:
                    raise UpstreamFailed(f"{what} answered over the {limit}-byte limit")
            content_type = answer.headers.get("content-type", "")
            return UpstreamReply(answer.status, content_type, bytes(received))
