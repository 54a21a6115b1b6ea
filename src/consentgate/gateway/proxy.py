"""The gateway's ASGI app: screen, forward, screen every output, answer in the upstream's shape.

Why it is a separate app with no key of its own: clients call it exactly as
they call the upstream, with the upstream's ``Authorization``, which passes
through untouched. So it authenticates nobody; it must listen on a private
interface or behind the platform's own authentication (docs/gateway.md).

What a client gets back:

- a request or an output that is blocked: 400 in the upstream's error shape,
  code ``content_policy_violation``, with the ``decision_id``; no image;
- one that needs review: 400, code ``content_policy_review``, a case opened;
  the image is withheld until a person has looked (safe by default);
- the upstream's own 4xx (its safety refusals included): passed through unchanged;
- the upstream's 5xx, an unreadable answer, or an answer over the limits: 502;
  no answer within ``CONSENTGATE_GATEWAY_TIMEOUT_S``: 504 (problem+json both);
- otherwise the upstream's answer, byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from consentgate.api.intake import read_body
from consentgate.api.problems import TYPE_PREFIX, install_problem_handlers, problem
from consentgate.gateway.adapters.base import Adapter, ImageRequest, Route
from consentgate.gateway.clients import client_for
from consentgate.gateway.faults import GatewayFault, UpstreamFailed
from consentgate.gateway.refusals import REFUSALS
from consentgate.gateway.screening import GatewayScreen
from consentgate.gateway.upstream import Upstream, forwarded_headers
from consentgate.records import Decision, Verdict
from consentgate.service.wiring import Services

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    services: Services
    adapter: Adapter
    upstream: Upstream
    screen: GatewayScreen


def _refusal(gateway: Gateway, decision: Decision) -> JSONResponse | None:
    if decision.decision is Verdict.ALLOW:
        return None
    code, message = REFUSALS[decision.decision]
    status, body = gateway.adapter.refusal(code, message, decision.id)
    return JSONResponse(body, status_code=status)


async def _outputs(gateway: Gateway, body: bytes) -> list[bytes]:
    images = gateway.adapter.parse_answer(body)
    return [
        image.data
        if image.data is not None
        else await gateway.upstream.fetch_image(image.url or "")
        for image in images
    ]


async def relay(request: Request, route: Route) -> Response:
    gateway: Gateway = request.app.state.gateway
    try:
        body = await read_body(request, gateway.services.settings.max_request_bytes)
    except ClientDisconnect:  # the client left before sending its body: no one to answer
        return Response(status_code=400)
    content_type = request.headers.get("content-type", "")
    asked: ImageRequest = await gateway.adapter.parse_request(route, content_type, body)
    refused = _refusal(gateway, await gateway.screen.before(asked))
    if refused is not None:
        return refused
    headers = forwarded_headers(request.headers)
    reply = await gateway.upstream.send(route.path, content_type, body, headers)
    if 400 <= reply.status < 500:  # its own refusals and errors, unchanged
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type)
    if not 200 <= reply.status < 300:
        log.warning("the upstream answered %d on %s", reply.status, route.path)
        raise UpstreamFailed(f"the upstream answered {reply.status}")
    decision = await gateway.screen.after(asked, await _outputs(gateway, reply.body))
    refused = _refusal(gateway, decision) if decision is not None else None
    if refused is not None:
        return refused
    return Response(reply.body, status_code=reply.status, media_type=reply.content_type)


def _fault(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayFault)
    return problem(
        request,
        exc.http_status,
        title=exc.title,
        type_=TYPE_PREFIX + ("upstream-timeout" if exc.http_status == 504 else "upstream-failed"),
        detail=exc.message,
    )


def _route(route: Route) -> Callable[[Request], object]:
    async def endpoint(request: Request) -> Response:
        return await relay(request, route)

    return endpoint


def create_proxy_app(
    load: Callable[[], Services],
    adapter: Adapter,
    upstream_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The gateway for ``adapter``'s routes, forwarding to ``upstream_url``.

    ``load`` builds the services at start-up (models, store), as for the API;
    ``transport`` replaces the network in tests (an ASGI fake upstream).
    The upstream's paths are served under ``/v1``: ``/v1/images/edits``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(load)
        settings = services.settings
        upstream = Upstream(
            upstream_url,
            client_for(transport),
            timeout_s=settings.gateway_timeout_s,
            max_answer_bytes=settings.max_request_bytes,
            max_image_bytes=settings.max_image_bytes,
        )
        app.state.gateway = Gateway(services, adapter, upstream, GatewayScreen(services))
        try:
            yield
        finally:
            await upstream.aclose()
            await run_in_threadpool(services.close)

    app = FastAPI(
        title="ConsentGate gateway",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    install_problem_handlers(app)
    app.add_exception_handler(GatewayFault, _fault)
    for route in adapter.routes:
        app.add_api_route("/v1" + route.path, _route(route), methods=[route.method])
    app.add_api_route("/healthz", lambda: {"status": "ok"}, methods=["GET"])
    return app
