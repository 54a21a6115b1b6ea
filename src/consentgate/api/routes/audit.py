"""Audit routes, mirroring ``consentgate audit``: verify the chain, export a range of it.

Both need a ``report`` key (``admin`` holds every scope). A broken chain is a
finding, not a failed request: ``verify`` answers 200 with ``intact: false`` and
names the first bad event; like ``consentgate audit verify`` it also replays
every case's events and lists where the ``cases`` table says otherwise. The
export streams JSON lines that verify as a segment of the chain (``consentgate.audit.export``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, Field
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.audit import chain
from consentgate.audit.export import export_lines
from consentgate.audit.replay import replay
from consentgate.records import Record
from consentgate.service.keys import ApiKey, Scope
from consentgate.store.database import Database

router = APIRouter(prefix="/v1", tags=["audit"], route_class=StrictJsonRoute)

REPORT = Depends(key_with(Scope.REPORT))
ERRORS = problem_responses(401, 403, 422, 429, 503)
JSON_LINES = "application/x-ndjson"


class ChainReport(Record):
    """The result of verifying every link of the audit chain."""

    intact: bool
    events: int | None = Field(None, description="events checked (when intact)")
    head: str | None = Field(None, description="the last event's hash (when intact)")
    broken: str | None = Field(None, description="the first bad event (when not intact)")
    cases: int | None = Field(None, description="cases whose events were replayed (when intact)")
    mismatches: list[str] = Field(
        default_factory=list,
        description="each case and field where the cases table differs from its replayed events",
    )


def _verify(db: Database) -> ChainReport:
    try:
        with db.read() as conn:
            verified = chain.verify(conn)
            replayed = replay(conn)
    except chain.ChainBroken as exc:
        return ChainReport(intact=False, broken=exc.message)
    return ChainReport(
        intact=not replayed.mismatches,
        events=verified.events,
        head=verified.head,
        cases=replayed.cases,
        mismatches=[str(m) for m in replayed.mismatches],
    )


@router.get(
    "/audit/verify",
    response_model=ChainReport,
    summary="Verify the audit hash chain",
    responses=ERRORS,
)
async def verify(request: Request, _key: ApiKey = REPORT) -> RecordResponse:
    """`intact: false` names the first edited, missing or reordered event (`broken`), or
    lists each case whose row differs from its replayed events (`mismatches`)."""
    report = await run_in_threadpool(_verify, services_of(request).db)
    return RecordResponse(report)


@router.get(
    "/audit/export",
    summary="Export the events of a time range as JSON lines",
    response_class=StreamingResponse,
    responses={200: {"content": {JSON_LINES: {}}}, **ERRORS},
)
async def export(
    request: Request,
    start: Annotated[AwareDatetime, Query(alias="from", description="inclusive, ISO 8601")],
    end: Annotated[AwareDatetime, Query(alias="to", description="exclusive, ISO 8601")],
    _key: ApiKey = REPORT,
) -> StreamingResponse:
    """Each line has `seq`, `at`, `actor`, `kind`, `case_id`, `reason`, `data`, `prev_hash`
    and `hash`; the first line's `prev_hash` links the range to the event before it."""
    lines = await run_in_threadpool(export_lines, services_of(request).db, start, end)
    return StreamingResponse(lines, media_type=JSON_LINES)
