"""One small interface between ConsentGate and an image API.

Why an adapter is mostly translation: the gateway decides (screen, forward,
screen again, refuse) and the adapter only says how one API spells a request,
an answer and a refusal. So the same adapter serves ``consentgate proxy``,
which forwards the client's own bytes, and a measuring client (an
assessment), which calls the API through ``connect``: request → upstream call
→ images or refusal, as an ``Outcome``. An adapter never screens, records or
logs; it raises ``BadInput`` for a request it cannot read and
``UpstreamAnswerInvalid`` for an answer it cannot read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar

import httpx

from consentgate.gateway.faults import UpstreamAnswerInvalid
from consentgate.records import Mode
from consentgate.settings import Settings

if TYPE_CHECKING:
    from consentgate.gate import Gate

__all__ = [
    "Adapter",
    "Connection",
    "Encoded",
    "Endpoint",
    "ImageRequest",
    "Outcome",
    "OutcomeKind",
    "Refusal",
    "ReturnedImage",
    "Route",
    "UpstreamAnswerInvalid",
]


@dataclass(frozen=True)
class Route:
    """One endpoint of the upstream that the gateway serves under the same path."""

    method: str
    path: str  # relative to the upstream base URL, e.g. "/images/edits"
    mode: Mode


@dataclass(frozen=True)
class ImageRequest:
    """What a client asked for, as the gate reads it: prompt, source photos, mask."""

    mode: Mode
    prompt: str | None
    sources: tuple[bytes, ...] = ()
    mask: bytes | None = None


@dataclass(frozen=True)
class ReturnedImage:
    """One image in an upstream's answer: its bytes inline, or a URL to fetch them from."""

    data: bytes | None = None
    url: str | None = None


@dataclass(frozen=True)
class Encoded:
    """A request body ready to send: the route, its content type and its bytes."""

    route: Route
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Refusal:
    """An answer that is a safety refusal, as the API spelt it."""

    code: str | None = None
    message: str | None = None
    decision_id: str | None = None  # set when ConsentGate refused (our gateway, or ``self``)


class OutcomeKind(StrEnum):
    GENERATED = "generated"  # the endpoint answered with images (possibly none)
    REFUSED = "refused"  # a safety refusal: the API's own, ConsentGate's, or one in words
    FAILED = "failed"  # anything else: an error status, a timeout, an unreadable answer


@dataclass(frozen=True)
class Outcome:
    """What an image endpoint did with one request.

    ``images`` are the returned images' bytes (a URL answer is fetched);
    ``status`` is the HTTP status when there was one; ``code`` and ``message``
    name the refusal or the failure (``upstream_timeout``, ``upstream_failed``,
    ``invalid_answer``, ``invalid_request``, ``http_<status>``, the API's own
    code, or ``refusal_wording`` for an error that refuses in words);
    ``decision_id`` and ``rules`` say why ConsentGate refused, as far as the
    endpoint tells (our gateway gives the id; ``self`` the id and the rules).
    """

    kind: OutcomeKind
    images: tuple[bytes, ...] = ()
    status: int | None = None
    code: str | None = None
    message: str | None = None
    decision_id: str | None = None
    rules: tuple[str, ...] = ()

    @classmethod
    def refused(cls, refusal: Refusal, status: int | None) -> Outcome:
        return cls(
            OutcomeKind.REFUSED,
            status=status,
            code=refusal.code,
            message=refusal.message,
            decision_id=refusal.decision_id,
        )


@dataclass(frozen=True)
class Connection:
    """Where and how a measuring client reaches an endpoint.

    ``base_url`` is the API's base (``https://images.example/v1``; ``self``
    takes none); ``headers`` go with every call (the API's key: sent there and
    nowhere else, never logged); ``settings`` give the timeout and size limits
    (the environment's when None); ``transport`` replaces the network in tests.
    ``gate`` is what ``self`` answers with: the caller's gate, which the
    endpoint uses and leaves open (an assessment shares one engine between the
    endpoint and its own output screen); None builds one from ``settings``,
    closed with the endpoint.
    """

    base_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    settings: Settings | None = None
    transport: httpx.AsyncBaseTransport | None = None
    gate: Gate | None = None


class Endpoint(ABC):
    """An image API as a measuring client calls it: one request in, one Outcome out.

    ``call`` never raises for what the endpoint did (a refusal, an error status,
    a timeout are outcomes); use it as an async context manager, or ``aclose``.
    """

    @abstractmethod
    async def call(self, request: ImageRequest) -> Outcome:
        """Send ``request`` and say what came back."""

    async def aclose(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections, models and threads."""

    async def __aenter__(self) -> Endpoint:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class Adapter(ABC):
    """How one image API spells requests, answers and refusals, and how it is called."""

    name: ClassVar[str]
    routes: tuple[Route, ...]  # what the gateway serves; () for nothing to proxy

    @abstractmethod
    async def parse_request(self, route: Route, content_type: str, body: bytes) -> ImageRequest:
        """The client's body as an ImageRequest; ``BadInput`` when it cannot be read."""

    @abstractmethod
    def encode(self, request: ImageRequest) -> Encoded:
        """A body for ``request`` as a client of this API would send it (for measuring)."""

    @abstractmethod
    def parse_answer(self, body: bytes) -> tuple[ReturnedImage, ...]:
        """The images of a 2xx answer; ``UpstreamAnswerInvalid`` when it cannot be read."""

    @abstractmethod
    def refusal(self, code: str, message: str, decision_id: str) -> tuple[int, dict[str, object]]:
        """A refusal of ours in this API's own error shape: HTTP status and JSON body."""

    @abstractmethod
    def read_refusal(self, status: int, body: bytes) -> Refusal | None:
        """The answer as a safety refusal, or None when it is not one."""

    @abstractmethod
    def connect(self, connection: Connection) -> Endpoint:
        """An endpoint that calls this API (``ConfigError`` when ``connection`` cannot serve)."""

    def is_refusal(self, status: int, body: bytes) -> bool:
        """Whether an upstream answer is a safety refusal (ours or the API's own)."""
        return self.read_refusal(status, body) is not None
