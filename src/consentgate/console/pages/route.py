"""Rendering: every console page answers HTML, its errors included.

Why a route class: the API's one error edge answers ``application/problem+json``;
a reviewer's browser needs the same status with a page a person reads. A
``ConsentGateError`` (404, 403, 409, 422, 503...) and a form or query that fails
validation become ``pages/error.html`` here, with the service's status; a 500
names nothing internal. Redirects (the login's 303) pass through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from consentgate.console.pages import words
from consentgate.console.templating import templates
from consentgate.errors import ConsentGateError, NotReady, RateLimited

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
"""Pages hold case data: never kept by a browser or a proxy cache."""


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {"w": words, **context},
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )


def retry_after(exc: ConsentGateError) -> dict[str, str]:
    """``Retry-After`` for an answer that says "not now" (429, 503), as the API sends it."""
    if isinstance(exc, RateLimited) or hasattr(exc, "retry_after_s"):
        return {"Retry-After": str(getattr(exc, "retry_after_s", 1))}
    return {}


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return page(
        request,
        "pages/error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "the request is not valid"


class PageRoute(APIRoute):
    """An APIRoute whose domain and validation errors are HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ConsentGateError as exc:
                if exc.http_status >= 500 and exc.http_status != NotReady.http_status:
                    log.error("internal error on a console page: %s", exc.message)
                    return error_page(
                        request, 500, "Internal error", "The page could not be shown. It is logged."
                    )
                return error_page(
                    request, exc.http_status, exc.title, exc.message, retry_after(exc)
                )
            except RequestValidationError as exc:
                return error_page(request, 422, "Invalid input", _validation_message(exc))

        return handle
