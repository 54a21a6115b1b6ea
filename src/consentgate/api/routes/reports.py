"""Transparency report routes, mirroring ``consentgate report`` (a ``report`` key).

``from`` and ``to`` take dates (the last day included) or instants with a zone
(``to`` excluded). The counts are made in the store's SQL, in one read
transaction, so any period can be asked for; the answer is JSON (every count),
one EU template part as CSV, or the HTML page for people.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.reports.build import build_report
from consentgate.reports.eu_csv import render
from consentgate.reports.html import render_html
from consentgate.reports.period import period_of
from consentgate.reports.records import TransparencyReport
from consentgate.service.keys import ApiKey, Scope
from consentgate.service.wiring import Services

router = APIRouter(prefix="/v1", tags=["reports"], route_class=StrictJsonRoute)

REPORT = Depends(key_with(Scope.REPORT))
ERRORS = problem_responses(401, 403, 422, 429, 503)
BOUND = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2}))?$"
Start = Annotated[
    str,
    Query(alias="from", min_length=10, max_length=40, pattern=BOUND,
          description="the first day (YYYY-MM-DD), or an ISO 8601 instant with a zone"),
]  # fmt: skip
End = Annotated[
    str,
    Query(alias="to", min_length=10, max_length=40, pattern=BOUND,
          description="the last day (included), or an instant with a zone (excluded)"),
]  # fmt: skip


class Part(StrEnum):
    """The EU template parts ConsentGate fills (``consentgate.reports.eu_csv.PARTS``)."""

    PART1_SUMMARY = "part1_summary"
    PART4_NOTICES = "part4_notices"
    PART5_OWN_INITIATIVE_ILLEGAL = "part5_own_initiative_illegal"
    PART6_OWN_INITIATIVE_TERMS = "part6_own_initiative_terms"
    PART7_APPEALS = "part7_appeals"
    PART8_AUTOMATED_MEANS = "part8_automated_means"


class Format(StrEnum):
    JSON = "json"
    HTML = "html"


def _build(services: Services, start: str, end: str) -> TransparencyReport:
    period = period_of(start, end)
    return build_report(services.db, period, services.settings, now=datetime.now(UTC))


@router.get(
    "/reports/transparency",
    response_model=TransparencyReport,
    summary="A transparency report for a period, as JSON or HTML",
    responses={200: {"content": {"text/html": {}}}, **ERRORS},
)
async def transparency(
    request: Request,
    start: Start,
    end: End,
    format: Annotated[Format, Query(description="json, or html for people")] = Format.JSON,
    _key: ApiKey = REPORT,
) -> Response:
    """Counts of screens, notices, decisions and their times, deadline breaches, automated
    and human decisions, appeals, bank sizes and child-safety reports (see docs/reports.md)."""
    report = await run_in_threadpool(_build, services_of(request), start, end)
    if format is Format.HTML:
        return HTMLResponse(render_html(report))
    return RecordResponse(report)


@router.get(
    "/reports/transparency/csv/{part}",
    summary="One part of the EU harmonised templates (Impl. Reg. 2024/2835) as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **ERRORS},
)
async def transparency_csv(
    request: Request,
    part: Annotated[Part, Path(description="the template part")],
    start: Start,
    end: End,
    _key: ApiKey = REPORT,
) -> Response:
    """The template's header row exactly as published, its rows with our counts filled in."""
    report = await run_in_threadpool(_build, services_of(request), start, end)
    return Response(
        render(part.value, report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{part.value}.csv"'},
    )
