"""One small interface between the gateway (or an assessment) and an image API.

Why an adapter is only translation: the gateway decides (screen, forward,
screen again, refuse) and the adapter only says how one API spells a request,
an answer and a refusal. So the same adapter serves ``consentgate proxy``,
which forwards the client's own bytes, and a measuring client, which builds a
request from a prompt and photos (``encode``) and reads what came back. An
adapter never screens, records or logs; it raises ``BadInput`` for a request
it cannot read and ``UpstreamAnswerInvalid`` for an answer it cannot read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from consentgate.gateway.faults import UpstreamAnswerInvalid
from consentgate.records import Mode

__all__ = ["Adapter", "Encoded", "ImageRequest", "ReturnedImage", "Route", "UpstreamAnswerInvalid"]


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


class Adapter(ABC):
    """How one image API spells requests, answers and refusals."""

    name: ClassVar[str]
    routes: ClassVar[tuple[Route, ...]]

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
        """A refusal in this API's own error shape: HTTP status and JSON body."""

    @abstractmethod
    def is_refusal(self, status: int, body: bytes) -> bool:
        """Whether an upstream answer is its own safety refusal (for measuring)."""
