"""Case routes, mirroring ``consentgate cases``: queues, one case's history, decisions, appeals.

Every route needs a ``moderate`` key. A change names its actor from the key,
never from the body: the user the key acts for (``keys create --user``), else
``key:<key id>``; a body ``actor`` is refused (422). Of two reviewers deciding
one case at once, one gets 200 and the other 409 (so does a decision that
names a ``version`` the case has moved past). Deciding an appeal needs a key
bound to a user whose role allows it, other than the first decider (403).

Lists page by keyset: a full page answers ``X-Next-Cursor``, which the next
request passes as ``after`` (``consentgate.cases.paging``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, RecordsResponse, key_with
from consentgate.api.idempotency import IdempotencyKey, keyed, replay_headers, replayable
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.cases.case_appeal import appeal_once
from consentgate.cases.deadlines import Clock, clock_of
from consentgate.cases.paging import MAX_PAGE, Cursor
from consentgate.cases.records import (
    Action,
    AppealOutcome,
    Appellant,
    Case,
    CaseEvent,
    CaseState,
    Queue,
)
from consentgate.cases.replays import ReplayScope
from consentgate.cases.service import LISTED_STATES, CaseService, is_expedited
from consentgate.errors import Forbidden
from consentgate.fields import INT32_MAX, Text
from consentgate.people import User
from consentgate.records import Record
from consentgate.service.keys import ApiKey, Scope

router = APIRouter(prefix="/v1", tags=["cases"], route_class=StrictJsonRoute)

MODERATE = Depends(key_with(Scope.MODERATE))
READ_ERRORS = problem_responses(401, 403, 404, 422, 429, 503)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 413, 422, 429, 503)
CaseId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]{1,32}$")]
Reason = Annotated[Text, Field(min_length=1, max_length=10_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="cases per page")]
After = Annotated[
    str | None,
    Query(max_length=300, description="the `X-Next-Cursor` of the page before"),
]
NEXT_CURSOR = "X-Next-Cursor"


def _no_actor(value: object) -> None:
    raise PydanticCustomError(
        "actor_from_key",
        "the actor is the user the API key acts for, never a body field "
        "(create the key with 'consentgate keys create --user NAME')",
    )


NoActor = SkipJsonSchema[Annotated[None, BeforeValidator(_no_actor)]]
"""Refuses a body ``actor`` with a message saying where the actor comes from."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: NoActor = None


class DecisionBody(Strict):
    """``POST /v1/cases/{id}/decision``."""

    action: Action
    reason: Reason = Field(description="why: the statement of reasons starts here")
    version: int | None = Field(
        None, ge=0, le=INT32_MAX, description="the version reviewed: 409 if the case moved on"
    )


class AppealBody(Strict):
    """``POST /v1/cases/{id}/appeal``: a complaint against the decision (to act or not)."""

    by: Appellant
    text: Reason = Field(description="the complaint, in the appellant's words")


class AppealDecisionBody(Strict):
    """``POST /v1/cases/{id}/appeal-decision``: by someone other than the first decider."""

    outcome: AppealOutcome
    reason: Reason


class ListedCase(Case):
    """A case with where it stands against its deadline at the time asked about."""

    clock: Clock | None = Field(description="on_time, at_risk or breached; null once decided")
    expedited: bool = Field(description="a reporter's complaint on an intimate-image case")


class CaseWithEvents(Record):
    case: ListedCase
    events: list[CaseEvent]


def case_service(request: Request) -> CaseService:
    return services_of(request).cases


def _person(key: ApiKey) -> User:
    """The user an appeal decision is made by: a key bound to nobody cannot decide one."""
    if key.user is None:
        raise Forbidden(
            "an appeal is decided by a person: use a key bound to a user "
            "('consentgate keys create --user NAME')"
        )
    return key.user


def _cursor(after: str | None) -> Cursor | None:
    return None if after is None else Cursor.decode(after)


def _paged(records: list[ListedCase], cursor: Cursor | None) -> RecordsResponse:
    """A page of cases; ``X-Next-Cursor`` names where the next starts (absent on the last)."""
    response = RecordsResponse(records)
    if cursor is not None:
        response.headers[NEXT_CURSOR] = cursor.encode()
    return response


def _listed(case: Case, now: datetime) -> ListedCase:
    return ListedCase(**case.model_dump(), clock=clock_of(case, now), expedited=is_expedited(case))


@router.get(
    "/cases",
    response_model=list[ListedCase],
    summary="List cases, most urgent first",
    responses=READ_ERRORS,
)
async def list_cases(
    request: Request,
    queue: Queue | None = None,
    state: Annotated[list[CaseState] | None, Query(max_length=len(CaseState))] = None,
    limit: Limit = 100,
    after: After = None,
    _key: ApiKey = MODERATE,
) -> RecordsResponse:
    """Expedited complaints first, then child safety, intimate images and the rest; within a
    queue urgent cases first (a threat to life, an automated R1 escalation), anonymous
    reports with neither image nor URL last, each by deadline. Default states: open,
    in_review, appealed. A full page names the next in its `X-Next-Cursor` header: pass it
    as `after`."""
    service = case_service(request)
    found, cursor = await run_in_threadpool(
        service.page,
        queue=queue,
        states=tuple(state or LISTED_STATES),
        limit=limit,
        after=_cursor(after),
    )
    now = service.clock()
    return _paged([_listed(c, now) for c in found], cursor)


@router.get(
    "/cases/overdue",
    response_model=list[ListedCase],
    summary="Undecided cases at risk or past their deadline",
    responses=READ_ERRORS,
)
async def overdue(
    request: Request,
    now: Annotated[AwareDatetime | None, Query(description="ISO 8601 with a zone")] = None,
    limit: Limit = 100,
    after: After = None,
    _key: ApiKey = MODERATE,
) -> RecordsResponse:
    """As of `now` (default: the server's clock): at risk in the last quarter of a case's time,
    breached from its deadline on; in the order of `GET /v1/cases`, paged the same way."""
    service = case_service(request)
    at = now or service.clock()
    found, cursor = await run_in_threadpool(
        service.overdue_page, at, limit=limit, after=_cursor(after)
    )
    return _paged([_listed(c, at) for c, _status in found], cursor)


@router.get(
    "/cases/{case_id}",
    response_model=CaseWithEvents,
    summary="Get a case with its events",
    responses=READ_ERRORS,
)
async def get_case(request: Request, case_id: CaseId, _key: ApiKey = MODERATE) -> RecordResponse:
    service = case_service(request)
    case = await run_in_threadpool(service.get, case_id)
    events = await run_in_threadpool(service.history, case_id)
    return RecordResponse(CaseWithEvents(case=_listed(case, service.clock()), events=events))


@router.post(
    "/cases/{case_id}/decision",
    response_model=ListedCase,
    summary="Decide a case (remove or no action)",
    responses=WRITE_ERRORS,
)
async def decide(
    request: Request, case_id: CaseId, body: DecisionBody, key: ApiKey = MODERATE
) -> RecordResponse:
    """409 when the case was already decided or has moved past `version`."""
    service = case_service(request)
    case = await run_in_threadpool(
        service.decide,
        case_id,
        body.action,
        reason=body.reason,
        actor=key.actor,
        expected_version=body.version,
    )
    return RecordResponse(_listed(case, service.clock()))


@router.post(
    "/cases/{case_id}/appeal",
    response_model=ListedCase,
    summary="Appeal a decision (to act or not to act)",
    responses={**WRITE_ERRORS, **replayable(200, "The case (as it stands now, for a retry)")},
)
async def appeal(
    request: Request,
    case_id: CaseId,
    body: AppealBody,
    key: ApiKey = MODERATE,
    idempotency_key: IdempotencyKey = None,
) -> RecordResponse:
    """422 once the appeal window (at least six months) has closed; 409 without a decision.
    With an `Idempotency-Key` (per API key and case), a retry of the same appeal answers the
    case (`Idempotent-Replayed: true`) instead of `409`."""
    service = case_service(request)
    once = keyed(ReplayScope.CASE_APPEAL, idempotency_key, body, within=f"{case_id}\n{key.id}")
    appealed = await run_in_threadpool(
        appeal_once, service, case_id, once, by=body.by, text=body.text, actor=key.actor
    )
    case = appealed.case
    if case is None:  # a retry: the case as it stands now
        case = await run_in_threadpool(service.get, case_id)
    return RecordResponse(_listed(case, service.clock()), headers=replay_headers(appealed.replayed))


@router.post(
    "/cases/{case_id}/appeal-decision",
    response_model=ListedCase,
    summary="Decide an appeal (upheld or reversed)",
    responses=WRITE_ERRORS,
)
async def decide_appeal(
    request: Request, case_id: CaseId, body: AppealDecisionBody, key: ApiKey = MODERATE
) -> RecordResponse:
    """403 for a key bound to no user, a role that may not decide appeals, or the user who
    made the decision under appeal; 409 when no appeal is open."""
    service = case_service(request)
    case = await run_in_threadpool(
        service.decide_appeal, case_id, body.outcome, reason=body.reason, actor=_person(key)
    )
    return RecordResponse(_listed(case, service.clock()))
