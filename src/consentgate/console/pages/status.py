"""``/console/status/{tracking code}``: where a notice stands, for its notifier (no login).

It reads the notice service's status page (``NoticeService.status``), the same
answer as ``GET /v1/notices/{code}``: each item's state and, once decided, the
decision, whether automated means were used, and how to appeal until when. The
tracking code is the notifier's only credential, so: a look-up of an unknown
code spends a token of the notice bucket of the client's address (codes cannot
be guessed at speed), the code is redacted from the access log
(``api.access_log``), and the page is neither cached nor sent as a referrer.
The form posts the code rather than putting it in a query string.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from consentgate.api.routes.notices import address, limits, notice_service
from consentgate.api.runtime import services_of
from consentgate.cases.intake import CODE_PATTERN
from consentgate.console.pages.route import PageRoute, page, retry_after
from consentgate.errors import NotFound, RateLimited

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PRIVATE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@router.get("/status")
async def status_form(request: Request) -> Response:
    return page(request, "pages/status.html", {"status": None, "error": None}, headers=PRIVATE)


@router.post("/status")
async def status_lookup(
    request: Request,
    code: Annotated[str, Form(max_length=100)],
) -> Response:
    code = code.strip()
    if not CODE_PATTERN.match(code):
        return page(
            request,
            "pages/status.html",
            {"status": None, "error": "No notice has this tracking code."},
            status_code=404,
            headers=PRIVATE,
        )
    return RedirectResponse(f"/console/status/{code}", status_code=303)


@router.get("/status/{tracking_code}")
async def status_page(request: Request, tracking_code: str) -> Response:
    services, bucket, client = services_of(request), limits(request).notices, address(request)
    try:
        await run_in_threadpool(bucket.ensure_open, client)
        try:
            found = await run_in_threadpool(notice_service(services).status, tracking_code)
        except NotFound:
            await run_in_threadpool(bucket.check, client)
            raise
    except (NotFound, RateLimited) as exc:
        return page(
            request,
            "pages/status.html",
            {"status": None, "error": exc.message},
            status_code=exc.http_status,
            headers=PRIVATE | retry_after(exc),
        )
    return page(
        request,
        "pages/status.html",
        {"status": found, "appeal_path": f"/v1/notices/{tracking_code}/appeal"},
        headers=PRIVATE,
    )
