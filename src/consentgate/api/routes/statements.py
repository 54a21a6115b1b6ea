"""Statement routes, mirroring ``consentgate sor``: the Transparency Database's bodies.

Every route needs a ``report`` key (``admin`` holds every scope). Each statement is
checked before it is sent (the database's rules, no personal data, no ``puid``
twice): the JSON-lines export checks the whole range first and answers ``422``
naming the statement and the field if one fails, so a stream never stops halfway.
Batches page by keyset: a body of at most 100 statements, and ``X-Next-Cursor``
while more follow.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.cases.statements import export as exports
from consentgate.cases.statements import store
from consentgate.cases.statements.records import Statement
from consentgate.cases.statements.store import Cursor
from consentgate.cases.statements.tdb import MAX_BATCH
from consentgate.service.keys import ApiKey, Scope
from consentgate.store.database import Database

router = APIRouter(prefix="/v1", tags=["statements of reasons"], route_class=StrictJsonRoute)

REPORT = Depends(key_with(Scope.REPORT))
ERRORS = problem_responses(401, 403, 422, 429, 503)
JSON_LINES = "application/x-ndjson"
NEXT_CURSOR = "X-Next-Cursor"
From = Annotated[date | None, Query(alias="from", description="first application date (inclusive)")]
To = Annotated[date | None, Query(alias="to", description="last application date (inclusive)")]
After = Annotated[
    str | None, Query(max_length=40, description="the `X-Next-Cursor` of the batch before")
]
StatementId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
BATCH_BODY = {
    "type": "object",
    "properties": {"statements": {"type": "array", "maxItems": MAX_BATCH, "items": {}}},
    "required": ["statements"],
}


def _checked_range(db: Database, start: date | None, end: date | None) -> None:
    exports.validate_all(db, start, end)


@router.get(
    "/statements",
    summary="Export statements of reasons as JSON lines",
    response_class=StreamingResponse,
    responses={200: {"content": {JSON_LINES: {}}}, **ERRORS},
)
async def export(
    request: Request, start: From = None, end: To = None, _key: ApiKey = REPORT
) -> StreamingResponse:
    """Each line is one body of the Transparency Database's `POST /api/v1/statement`, for
    the statements applied from `from` to `to` (inclusive; open when left out). All are
    checked before the first line is sent: one that fails is a `422` naming it and its
    field."""
    db = services_of(request).db
    await run_in_threadpool(_checked_range, db, start, end)
    lines = await run_in_threadpool(exports.json_lines, db, start, end)
    return StreamingResponse(lines, media_type=JSON_LINES)


@router.get(
    "/statements/batch",
    summary="One request body of at most 100 statements of reasons",
    responses={
        200: {
            "description": 'A body of `POST /api/v1/statements`: `{"statements": [...]}`',
            "content": {"application/json": {"schema": BATCH_BODY}},
            "headers": {
                NEXT_CURSOR: {
                    "description": "pass it as `after` for the next batch (absent on the last)",
                    "schema": {"type": "string"},
                }
            },
        },
        **ERRORS,
    },
)
async def batch(
    request: Request,
    start: From = None,
    end: To = None,
    after: After = None,
    _key: ApiKey = REPORT,
) -> JSONResponse:
    """The next batch of the range after `after`, each statement checked (`422` naming the
    statement and field of the first that fails); an empty list once none is left."""
    db = services_of(request).db
    cursor = Cursor.parse(after) if after is not None else None
    store.check_range(start, end)
    rows = await run_in_threadpool(store.page, db, start, end, after=cursor, limit=MAX_BATCH)
    checked = list(exports.checked(rows))
    headers = {NEXT_CURSOR: str(rows[-1].cursor)} if len(rows) == MAX_BATCH else {}
    return JSONResponse({"statements": [row.body for row in checked]}, headers=headers)


@router.get(
    "/statements/{statement_id}",
    response_model=Statement,
    summary="One statement of reasons as kept",
    responses=problem_responses(401, 403, 404, 422, 429, 503),
)
async def show(
    request: Request, statement_id: StatementId, _key: ApiKey = REPORT
) -> RecordResponse:
    """The database's body (`statement`), what the affected user is told on how to seek
    redress (`redress`), and where it came from (`source`, `case_id`, `decision_id`)."""
    found = await run_in_threadpool(store.get, services_of(request).db, statement_id)
    return RecordResponse(found)
