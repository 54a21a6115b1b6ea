"""``POST /v1/screen``: screen a request and return its recorded decision.

A request with an ``id`` is decided once per API key: a retry with the same id
and the same request gets the recorded decision back (``Idempotent-Replayed:
true``), without screening again; the same id with a different request is 409.
A request without an id is always screened anew.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.intake import read_screen_request
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import runtime_of
from consentgate.records import Decision
from consentgate.service.keys import ApiKey, Scope

router = APIRouter(prefix="/v1", tags=["screening"], route_class=StrictJsonRoute)

REPLAYED = "Idempotent-Replayed"

SCREEN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ScreenBody"}},
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/ScreenForm"}},
        },
    }
}


@router.post(
    "/screen",
    response_model=Decision,
    summary="Screen a prompt and/or images",
    responses={
        **problem_responses(401, 403, 409, 413, 415, 422, 429, 503),
        200: {
            "description": "The decision (a replay of the recorded one when the id was seen)",
            "headers": {
                REPLAYED: {
                    "description": "`true` when the decision was recorded by an earlier "
                    "request with the same key and id",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            },
        },
    },
    openapi_extra=SCREEN_BODY,
)
async def screen(request: Request, key: ApiKey = Depends(key_with(Scope.SCREEN))) -> RecordResponse:  # noqa: B008
    """Screen before generating (prompt + source photo) or after (the output).

    Returns the decision record (`allow`, `review` or `block`, with reasons),
    recorded under its `id` before the answer is sent. A block is a normal
    200 answer: a detection is never an error. Give your own `id` to make
    retries safe: the same key and id return the recorded decision.
    """
    runtime = runtime_of(request)
    services = runtime.ready_services()
    screen_request = await read_screen_request(request, services.settings.max_request_bytes)
    screened = await run_in_threadpool(services.screen_once, screen_request, key_id=key.id)
    if screened.replayed:
        return RecordResponse(screened.decision, headers={REPLAYED: "true"})
    runtime.metrics.observe_decision(screened.decision)
    return RecordResponse(screened.decision)
