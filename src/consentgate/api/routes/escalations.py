"""Child-safety report routes, mirroring ``consentgate escalations`` (a ``report`` key).

An export is a POST because it is recorded: each one is a ``report_exported``
event of the audit chain, naming the key's user (or ``key:<id>``). The images
go inside only with ``include_evidence``, and only for a key bound to a user
whose role may open evidence (403 otherwise); each image opened is an
``evidence_viewed`` event. A reference the agency returned is kept on the case
for five years (CS-4) and keeps the case's evidence a year past the report.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, Field
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, RecordsResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.routes.cases import Strict
from consentgate.api.runtime import services_of
from consentgate.errors import Forbidden
from consentgate.escalations.listing import EscalationStatus, list_escalations
from consentgate.escalations.records import Agency, AgencyReport, ExportFormat, Priority
from consentgate.escalations.service import EscalationService
from consentgate.fields import Line
from consentgate.service.keys import ApiKey, Scope
from consentgate.service.wiring import Services

router = APIRouter(prefix="/v1", tags=["escalations"], route_class=StrictJsonRoute)

REPORT = Depends(key_with(Scope.REPORT))
READ_ERRORS = problem_responses(401, 403, 422, 429, 503)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 413, 422, 429, 503)
CaseId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]{1,32}$")]


class ExportBody(Strict):
    """``POST /v1/escalations/{case_id}/export``."""

    format: ExportFormat
    include_evidence: bool = Field(
        False, description="put the sealed images inside (a key bound to a compliance user)"
    )
    priority: Priority | None = Field(
        None, description="the NCA priority: 1 immediately, 2 as soon as reasonably practicable, "
        "3 without undue delay (default: 1 for a threat to life, else 2)",
    )  # fmt: skip


class ReferenceBody(Strict):
    """``POST /v1/escalations/{case_id}/reference``: what the agency answered."""

    agency: Agency
    reference: Line = Field(min_length=1, max_length=100)
    priority: Priority | None = Field(None, description="the NCA priority it was sent with")
    reported_at: AwareDatetime | None = Field(
        None, description="when the agency received it (default: now)"
    )


def escalation_service(services: Services) -> EscalationService:
    return EscalationService(
        services.db, services.cases, services.automated.vault, services.settings
    )


@router.get(
    "/escalations",
    response_model=list[EscalationStatus],
    summary="Child-safety cases and their agency references",
    responses=READ_ERRORS,
)
async def escalations(
    request: Request,
    due: Annotated[bool, Query(description="only cases still awaiting a report")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    _key: ApiKey = REPORT,
) -> RecordsResponse:
    """Priority 1 (a threat to life) first, then the oldest; `awaiting_report` until an
    agency's reference is recorded, unless the case was decided `no_action`."""
    db = services_of(request).db
    found = await run_in_threadpool(list_escalations, db, due_only=due, limit=limit)
    return RecordsResponse(found)


@router.post(
    "/escalations/{case_id}/export",
    summary="Export a case's report for NCMEC (XML) or the NCA (JSON)",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}, "application/json": {}}},
               **WRITE_ERRORS},
)  # fmt: skip
async def export(
    request: Request, case_id: CaseId, body: ExportBody, key: ApiKey = REPORT
) -> Response:
    """`ncmec-xml`: the CyberTipline `<report>` and a `<fileDetails>` per image;
    `nca-json`: the fields of S.I. 2026/268 Schedule 1. Recorded as `report_exported`."""
    if body.include_evidence and key.user is None:
        raise Forbidden(
            "images leave the vault only for a person: use a key bound to a compliance user "
            "('consentgate keys create --user NAME')"
        )
    service = escalation_service(services_of(request))
    document = await run_in_threadpool(
        lambda: service.export(
            case_id, body.format, actor=key.actor, include_evidence=body.include_evidence,
            priority=body.priority,
        )
    )  # fmt: skip
    name = f"case-{case_id}-{body.format.agency.value}{body.format.suffix}"
    return Response(
        document,
        media_type=body.format.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/escalations/{case_id}/reference",
    response_model=AgencyReport,
    status_code=201,
    summary="Keep the reference an agency returned for a case's report",
    responses=WRITE_ERRORS,
)
async def reference(
    request: Request, case_id: CaseId, body: ReferenceBody, key: ApiKey = REPORT
) -> RecordResponse:
    """NCMEC's reference is its report id (digits). Kept five years (`retain_until`)."""
    service = escalation_service(services_of(request))
    done = await run_in_threadpool(
        lambda: service.record_reference(
            case_id, body.agency, body.reference, actor=key.actor, priority=body.priority,
            reported_at=body.reported_at,
        )
    )  # fmt: skip
    return RecordResponse(done, status_code=201)
