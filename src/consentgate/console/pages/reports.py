"""``/console/reports``: casework totals and time to action over a period, and the exports.

The counts come from ``cases.tally`` (the case tables and the audit chain); the
transparency reports (DSA, OSA) are their own module. The exports named here are
the API's and the CLI's: they need a ``report`` key or shell access, not a
console session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import services_of
from consentgate.cases.tally import tally
from consentgate.console.pages.route import PageRoute, page
from consentgate.console.session import console_user
from consentgate.people import User

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PERIODS = (7, 30, 90, 365)

EXPORTS = (
    (
        "Audit chain, a range of it as JSON lines",
        "GET /v1/audit/export",
        "consentgate audit export",
    ),
    ("Audit chain, verified", "GET /v1/audit/verify", "consentgate audit verify"),
    (
        "Open cases past or near their deadline",
        "GET /v1/cases/overdue",
        "consentgate cases overdue",
    ),
)


@router.get("/reports")
async def reports_page(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> Response:
    services = services_of(request)
    counts = await run_in_threadpool(tally, services.db, days=days, now=services.cases.clock())
    return page(
        request,
        "pages/reports.html",
        {"t": counts, "days": days, "periods": PERIODS, "exports": EXPORTS},
    )
