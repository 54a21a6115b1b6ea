"""The route class every router uses: a JSON body with a repeated key is a 422.

Why a route class: FastAPI parses the body of a route that declares a body
model with ``json.loads``, where the last of two equal keys silently wins. This
checks the same bytes first (``consentgate.jsonkeys``), in the one place all
those routes share; routes that read their own body (``/v1/screen``,
``/v1/notices``) check it in ``parse_json`` and ``parse_notice``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from consentgate.jsonkeys import refuse_duplicate_keys


class StrictJsonRoute(APIRoute):
    """An ``APIRoute`` that refuses a body model's JSON when it repeats a key."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict(request: Request) -> Response:
            body = await request.body()  # kept on the request: read once
            if body:
                refuse_duplicate_keys(body)
            return await handler(request)

        return strict
