"""The one edge where errors become RFC 9457 problem documents.

Every ``ConsentGateError`` carries its HTTP status; FastAPI's own validation and
routing errors are mapped here too, so every non-2xx answer has the same shape
(``application/problem+json``). An unexpected exception becomes a bare 500 that
names nothing internal; the traceback goes to the server log only. A store
that cannot serve (unreachable, full, read-only, locked) is no bug: its driver
errors become ``StoreUnavailable``, a 503 with ``Retry-After``
(``consentgate.store.faults`` says which).

Pages meant for people (the console, under ``/console``) get the same
document rendered as HTML: ``install_problem_handlers`` takes a renderer per
path prefix, and every handler's answer under that prefix goes through it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from psycopg import Error as PostgresError
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentgate.api.access_log import redact_path
from consentgate.errors import ConsentGateError, RateLimited, TooLarge, Unauthorized
from consentgate.store.faults import cause_of, store_fault

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:consentgate:problem:"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document, with ``field`` naming the offending input."""

    type: str = Field(description="URI of the problem type")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="the request path")
    field: str | None = Field(None, description="the input that caused it, if one did")
    errors: list[FieldError] | None = None


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request,
    status: int,
    *,
    title: str,
    type_: str = "about:blank",
    detail: str | None = None,
    field: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    doc = Problem(
        type=type_,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        field=field,
        errors=errors,
    )
    return ProblemResponse(doc.model_dump(exclude_none=True), status_code=status, headers=headers)


def _domain(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ConsentGateError)
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="consentgate"'
    if isinstance(exc, RateLimited) or hasattr(exc, "retry_after_s"):  # 429, or 503 for a while
        headers["Retry-After"] = str(getattr(exc, "retry_after_s", 1))
    if exc.http_status >= 500 and exc.http_status != 503:
        log.error("internal error: %s", exc.message)
        return _unexpected_response(request)
    # Errors that carry several findings (an import's bad lines) list them all.
    found = getattr(exc, "problems", None)
    errors = (
        [FieldError(field=f"line {p.line}", message=p.message) for p in found] if found else None
    )
    return problem(
        request,
        exc.http_status,
        title=exc.title,
        type_=TYPE_PREFIX + _slug(type(exc).__name__),
        detail=exc.message,
        field=exc.field,
        errors=errors,
        headers=headers or None,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    return ".".join(parts)


def _validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(field=_field_name(tuple(e.get("loc", ()))), message=str(e.get("msg", "")))
        for e in exc.errors()
    ]
    first = errors[0] if errors else FieldError(field="", message="invalid request")
    return problem(
        request,
        422,
        title="Invalid input",
        type_=TYPE_PREFIX + "bad-input",
        detail=f"{first.field}: {first.message}" if first.field else first.message,
        field=first.field or None,
        errors=errors,
    )


def _http(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    too_large = exc.status_code == 413  # the body limit: same document as TooLarge
    return problem(
        request,
        exc.status_code,
        title=TooLarge.title if too_large else phrase,
        type_=TYPE_PREFIX + "too-large" if too_large else "about:blank",
        detail=detail,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _unexpected_response(request: Request) -> ProblemResponse:
    return problem(
        request,
        500,
        title="Internal error",
        type_=TYPE_PREFIX + "internal",
        detail="The request could not be completed. It has been logged.",
    )


def _store(request: Request, exc: Exception) -> ProblemResponse:
    """A store error: a 503 when the store cannot serve, else what it was (a 500)."""
    fault = store_fault(exc)
    if fault is None:
        raise exc  # a bug, not an outage: the 500 handler logs its traceback
    path = redact_path(request.url.path)
    log.warning("%s on %s %s (%s)", fault.message, request.method, path, cause_of(exc))
    return _domain(request, fault)


def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    path = redact_path(request.url.path)  # a tracking code is a credential: never logged
    log.exception("unhandled error on %s %s", request.method, path, exc_info=exc)
    return _unexpected_response(request)


PageRenderer = Callable[[Request, Response], Response]
"""Renders a problem response (``application/problem+json``) as a page for a person."""
Handler = Callable[[Request, Exception], Response]


def _for_pages(handler: Handler, pages: Mapping[str, PageRenderer]) -> Handler:
    def handle(request: Request, exc: Exception) -> Response:
        answer = handler(request, exc)
        path = request.url.path
        for prefix, render in pages.items():
            if path == prefix or path.startswith(prefix + "/"):
                return render(request, answer)
        return answer

    return handle


def install_problem_handlers(app: FastAPI, pages: Mapping[str, PageRenderer] = {}) -> None:
    """Every error becomes a problem document; under a prefix of ``pages``, that page."""
    handlers: list[tuple[type[Exception], Handler]] = [
        (ConsentGateError, _domain),
        (RequestValidationError, _validation),
        (StarletteHTTPException, _http),
        *((store_error, _store) for store_error in (SQLAlchemyError, sqlite3.Error, PostgresError)),
        (Exception, _unexpected),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, _for_pages(handler, pages) if pages else handler)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem documents a route may answer with."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
