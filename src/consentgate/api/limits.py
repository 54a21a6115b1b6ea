"""Bounds on request bodies, per route, answered as a problem document (413).

Why per route: only ``POST /v1/screen`` needs the full ``max_request_bytes``
(two images); a route that takes one image needs one image's worth, and a
route that takes no image needs ``max_json_bytes`` (1 MB). A bank import takes
``max_import_bytes``. ``max_request_bytes`` stays the ceiling of every route.
A route missing from the tables below gets the small JSON limit, so a new
image route fails loudly in its tests rather than accepting 40 MB by accident.

A declared Content-Length over the limit is refused before any body byte is
read; a body sent without one (chunked) is counted as it arrives and stopped
at the limit, so no route reads an unbounded body into memory.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentgate.api.problems import TYPE_PREFIX, problem
from consentgate.errors import TooLarge
from consentgate.settings import Settings

SCREEN_ROUTES = frozenset({("POST", "/v1/screen")})
"""Routes that take two images (base64 in JSON, or multipart)."""
IMAGE_ROUTES = frozenset(
    {("POST", "/v1/hash"), ("POST", "/v1/match"), ("POST", "/v1/banks/{name}/entries")}
)
"""Routes that take one base64 image in JSON."""
IMPORT_ROUTES = frozenset({("POST", "/v1/banks/{name}/import")})


def route_limit(method: str, path: str, settings: Settings) -> int:
    """The body limit of the route ``method`` ``path`` (its template, not the raw path)."""
    ceiling = settings.max_request_bytes
    if (method, path) in SCREEN_ROUTES:
        return ceiling
    if (method, path) in IMAGE_ROUTES:
        base64_image = -(-settings.max_image_bytes // 3) * 4
        return min(ceiling, base64_image + settings.max_json_bytes)
    if (method, path) in IMPORT_ROUTES:
        return min(ceiling, settings.max_import_bytes)
    return min(ceiling, settings.max_json_bytes)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Answer 413 without reading the body."""
    response = problem(
        Request(scope),
        413,
        title=TooLarge.title,
        type_=TYPE_PREFIX + "too-large",
        detail=f"the request body is over the {limit}-byte limit",
    )
    await response(scope, receive, send)


def bounded(receive: Receive, limit: int) -> Receive:
    """``receive``, raising 413 as soon as the body passes ``limit`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                # An HTTPException passes through FastAPI's body parsing untouched
                # (any other error there becomes a 400); the edge makes it a 413.
                raise HTTPException(413, f"the request body is over the {limit}-byte limit")
        return message

    return counted


async def within(scope: Scope, receive: Receive, send: Send, app: ASGIApp, limit: int) -> None:
    """Run ``app`` with the body bounded by ``limit``; 413 at once if it declares more."""
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        await refuse(scope, receive, send, limit)
        return
    await app(scope, bounded(receive, limit), send)


class BodyLimitMiddleware:
    """One bound on every request body, whatever its route (the outermost backstop)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await within(scope, receive, send, self.app, self.max_bytes)
