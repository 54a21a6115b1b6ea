"""The application factory: routes, the problem+json edge, metrics and the runtime.

The app holds no globals: ``create_app`` takes a loader that builds the
worker's services, so tests pass fakes and ``consentgate serve`` passes the
real wiring (see ``consentgate.api.asgi``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from consentgate.api.auth import KeyGate
from consentgate.api.limits import BodyLimitMiddleware
from consentgate.api.metrics import Metrics, MetricsMiddleware
from consentgate.api.openapi import install_openapi
from consentgate.api.problems import install_problem_handlers
from consentgate.api.routes import (
    audit,
    banks,
    cases,
    decisions,
    entries,
    escalations,
    hashing,
    health,
    notices,
    reports,
    screen,
    statements,
)
from consentgate.api.runtime import Loader, Runtime
from consentgate.api.schemas import ScreenBody, ScreenForm
from consentgate.console.app import console_router
from consentgate.console.errors import problem_page
from consentgate.console.headers import ConsoleHeaders

DESCRIPTION = """\
Screen image-generation requests and outputs before they exist or spread:
every answer is a decision (`allow`, `review`, `block`) with its reasons, and
every decision is recorded under its `id`.

Send an API key as `Authorization: Bearer KEY` (create one with
`consentgate keys create --scope screen`). Errors are RFC 9457
`application/problem+json` documents.
"""


def create_app(
    load: Loader,
    *,
    background: bool = True,
    metrics: Metrics | None = None,
    max_body_size: int | None = None,
    api_docs: bool = False,
) -> FastAPI:
    """A FastAPI app whose services come from ``load`` (run at start-up).

    ``max_body_size`` bounds every request body (413 past it), so that no route,
    whatever it parses, reads an unbounded body into memory; each keyed route
    has its own, smaller limit (``consentgate.api.limits``), applied once its
    key is admitted. ``api_docs`` serves ``/docs``, ``/redoc`` and
    ``/openapi.json`` without a key; off, they are 404 and ``app.openapi()``
    still builds the document in-process.

    Trailing-slash redirects are off: Starlette builds them from the ``Host``
    header, which the caller controls; ``/v1/screen/`` is simply 404.
    """
    runtime = Runtime(load, metrics)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.start(background=background)
        try:
            yield
        finally:
            await run_in_threadpool(runtime.close)

    app = FastAPI(
        title="ConsentGate",
        version=version("consentgate"),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json" if api_docs else None,
        docs_url="/docs" if api_docs else None,
        redoc_url="/redoc" if api_docs else None,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    install_problem_handlers(app, pages={"/console": problem_page})
    if max_body_size is not None:
        app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_size)
    # Outside the body limit: an unauthenticated caller gets 401, whatever it sends.
    areas = (
        screen, decisions, hashing, banks, entries, notices, cases, statements, audit, reports,
        escalations, health,
    )  # fmt: skip
    app.add_middleware(
        KeyGate,
        routes=[route for area in areas for route in area.router.routes],
        gate=runtime.ready_gate,
        body_limit=runtime.body_limit,
    )
    app.add_middleware(ConsoleHeaders)
    app.add_middleware(MetricsMiddleware, metrics=runtime.metrics)
    for area in areas:
        app.include_router(area.router)
    app.include_router(console_router(runtime.ready_services))
    install_openapi(app, (ScreenBody, ScreenForm, notices.NoticeBody))
    return app
