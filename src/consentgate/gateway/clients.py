"""The HTTP clients the gateway calls an upstream with: aiohttp on the network, httpx in process.

Why two: the gateway's own cost per request is what its overhead target is
about, and on the network aiohttp does a call in about a fifth of the CPU
httpx needs (0.3 ms against 1.4 ms measured on one core; ``bench/gateway.py``).
httpx stays for what only it can do: call an ASGI app in process
(``httpx.ASGITransport``), which the tests use to put a fake upstream or the
gateway itself behind a client without a socket. Both only open an answer;
every limit (size, time, redirects) is applied by ``Upstream``, the same way
for both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import aiohttp
import httpx

CHUNK = 64 * 1024

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, aiohttp.ClientError, OSError)
"""What a client raises when the upstream cannot be reached or breaks off (a 502)."""


@dataclass(frozen=True)
class Opened:
    """An answer whose headers have arrived; its body is read from ``chunks``, decompressed."""

    status: int
    headers: Mapping[str, str]  # case-insensitive
    chunks: AsyncIterator[bytes]


class HttpClient(ABC):
    @abstractmethod
    def open(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> AbstractAsyncContextManager[Opened]:
        """Send the request; the answer is open inside the block. Never follows redirects."""

    @abstractmethod
    async def aclose(self) -> None:
        """Close every connection."""


class AiohttpClient(HttpClient):
    """One aiohttp session, made on first use (it must be made inside the event loop)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @asynccontextmanager
    async def open(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> AsyncIterator[Opened]:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None), auto_decompress=True
            )
        async with self._session.request(
            method, url, headers=dict(headers), data=body, allow_redirects=False
        ) as response:
            yield Opened(response.status, response.headers, response.content.iter_chunked(CHUNK))

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpxClient(HttpClient):
    """httpx over ``transport`` (an ASGI app in tests)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._client = httpx.AsyncClient(transport=transport, timeout=None)

    @asynccontextmanager
    async def open(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> AsyncIterator[Opened]:
        request = self._client.build_request(method, url, content=body, headers=dict(headers))
        response = await self._client.send(request, stream=True)
        try:
            yield Opened(response.status_code, response.headers, response.aiter_bytes(CHUNK))
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()


def client_for(transport: httpx.AsyncBaseTransport | None) -> HttpClient:
    """httpx over ``transport`` when one is given, else aiohttp on the network."""
    return HttpxClient(transport) if transport is not None else AiohttpClient()
