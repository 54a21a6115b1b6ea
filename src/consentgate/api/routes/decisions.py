"""``GET /v1/decisions/{id}``: a recorded decision, as it was returned."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.errors import NotFound
from consentgate.records import Decision
from consentgate.service.keys import ApiKey, Scope

router = APIRouter(prefix="/v1", tags=["decisions"], route_class=StrictJsonRoute)

READ_ALL = (Scope.MODERATE, Scope.REPORT)


@router.get(
    "/decisions/{decision_id}",
    response_model=Decision,
    summary="Get a recorded decision",
    responses=problem_responses(401, 403, 404, 422, 429, 503),
)
async def get_decision(
    request: Request,
    decision_id: str = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
    key: ApiKey = Depends(key_with(Scope.SCREEN, *READ_ALL)),  # noqa: B008
) -> RecordResponse:
    """A `screen` key reads the decisions it asked for; `moderate` and `report` read any."""
    services = services_of(request)
    recorded = await run_in_threadpool(services.decisions.get_recorded, decision_id)
    if recorded.key_id != key.id and not any(key.allows(s) for s in READ_ALL):
        raise NotFound(f"no decision with id {decision_id!r}")
    return RecordResponse(recorded.decision)
