"""A bound on every request body, answered as a problem document (413).

A declared Content-Length over the limit is refused before the route runs; a
body sent without one (chunked) is counted as it arrives and stopped at the
limit, so no route reads an unbounded body into memory.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentgate.api.problems import TYPE_PREFIX, problem
from consentgate.errors import TooLarge


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            response = problem(
                Request(scope),
                413,
                title=TooLarge.title,
                type_=TYPE_PREFIX + "too-large",
                detail=f"the request body is over the {self.max_bytes}-byte limit",
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing untouched
                    # (any other error there becomes a 400); the edge makes it a 413.
                    raise HTTPException(
                        413, f"the request body is over the {self.max_bytes}-byte limit"
                    )
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
