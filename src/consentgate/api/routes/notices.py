"""``POST /v1/notices`` and ``GET /v1/notices/{tracking_code}``: reporting without an account.

Why no key: anyone may notify illegal content (DSA Art. 16(1)) and a person
depicted need not be a user (UK OSA s.20, TAKE IT DOWN). What stands in for the
key: a token bucket per client address (``CONSENTGATE_NOTICE_RATE_PER_S``),
checked before any body byte is read, and a body read here within the limit of
a route that takes images (``KeyGate`` bounds only keyed routes). Looking up an
unknown tracking code spends a token of the same bucket, so codes cannot be
guessed at speed (they are 32 random characters anyway).

Against a flood of cases (one address opening a thousand child-safety cases in
two seconds): a notice lists at most ``CONSENTGATE_NOTICE_MAX_ITEMS`` items of
its kind, and the cases one address opens spend a second bucket
(``CONSENTGATE_CASES_PER_ADDRESS_PER_HOUR``), one token per item. Both buckets
are shared by every worker, and the address is ``ClientAddress``'s.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import RootModel
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import RecordResponse
from consentgate.api.idempotency import IdempotencyKey, keyed, replay_headers, replayable
from consentgate.api.intake import media_type, parse_json, read_body
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.limiters import Limits
from consentgate.api.problems import TYPE_PREFIX, FieldError, ProblemResponse, problem
from consentgate.api.problems import problem_responses as responses
from consentgate.api.runtime import runtime_of, services_of
from consentgate.cases.intake import NoticeService, check_items
from consentgate.cases.notices import (
    InvalidNotice,
    Notice,
    NoticeAppeal,
    NoticeStatus,
    NoticeTooLarge,
    Receipt,
    parse_notice,
)
from consentgate.cases.replays import ReplayScope
from consentgate.errors import NotFound, UnsupportedMedia
from consentgate.service.wiring import Services
from consentgate.settings import Settings

router = APIRouter(prefix="/v1", tags=["notices"], route_class=StrictJsonRoute)


class NoticeBody(RootModel[Notice]):
    """A notice of one kind: ``dsa_notice``, ``child_safety``, ``take_it_down`` or
    ``uk_intimate_image`` (see docs/notices.md for each kind's fields)."""


NOTICE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NoticeBody"}}},
    }
}


def body_limit(settings: Settings) -> int:
    """One image's worth, as the image routes: a notice carries a few small images at most."""
    base64_image = -(-settings.max_image_bytes // 3) * 4
    return min(settings.max_request_bytes, base64_image + settings.max_json_bytes)


def limits(request: Request) -> Limits:
    """This worker's limiters (their buckets are shared by every worker)."""
    return runtime_of(request).ready_limits()


def address(request: Request) -> str:
    return limits(request).client.of(request.scope)


def notice_service(services: Services) -> NoticeService:
    return NoticeService(services.db, services.cases, vault=services.automated.vault)


def invalid_notice(request: Request, exc: InvalidNotice) -> ProblemResponse:
    """Every missing or bad field of a notice, listed in ``errors``."""
    return problem(
        request,
        exc.http_status,  # 413 when an image is over the image limits, as /v1/screen says
        title=exc.title,
        type_=TYPE_PREFIX + ("too-large" if isinstance(exc, NoticeTooLarge) else "invalid-notice"),
        detail=exc.message,
        field=exc.field,
        errors=[FieldError(field=p.field, message=p.message) for p in exc.fields],
    )


@router.post(
    "/notices",
    status_code=201,
    response_model=Receipt,
    summary="Notify content (no key)",
    responses={
        **responses(409, 413, 415, 422, 429, 503),
        **replayable(201, "The receipt (the first one again for a retry under the same key)"),
    },
    openapi_extra=NOTICE_BODY,
)
async def submit(
    request: Request, idempotency_key: IdempotencyKey = None
) -> RecordResponse | ProblemResponse:
    """Report content without an account; the answer is the receipt, with its tracking code.

    One case is opened per item. A notice missing a field its law requires, or listing
    more items than its kind allows, is `422` with every such field listed in `errors`, and
    nothing is recorded. Past the notices or cases one address may send, `429` with
    `Retry-After`. With an `Idempotency-Key`, a retry of the same notice gets the first
    receipt (`Idempotent-Replayed: true`) and files nothing; the key with another notice is
    `409`.
    """
    services, found, client = services_of(request), limits(request), address(request)
    await run_in_threadpool(found.notices.check, client)
    if media_type(request) != "application/json":
        raise UnsupportedMedia("send the notice as application/json")
    body = await read_body(request, body_limit(services.settings))
    intake = notice_service(services)
    try:
        notice = parse_notice(body)
        once = keyed(ReplayScope.NOTICES, idempotency_key, notice)
        if once is not None and (first := await run_in_threadpool(intake.replayed, once)):
            return RecordResponse(first, status_code=201, headers=replay_headers(True))
        check_items(notice, services.settings)
        await run_in_threadpool(found.cases.check, client, cost=len(notice.items))
        submitted = await run_in_threadpool(intake.submit_once, notice, once)
    except InvalidNotice as exc:
        return invalid_notice(request, exc)
    headers = replay_headers(submitted.replayed)
    return RecordResponse(submitted.receipt, status_code=201, headers=headers)


@router.get(
    "/notices/{tracking_code}",
    response_model=NoticeStatus,
    summary="Where a notice stands (no key)",
    responses=responses(404, 429, 503),
)
async def status(request: Request, tracking_code: str) -> RecordResponse:
    """Each item's state; once decided, the decision, whether automated means were used,
    and how to appeal and until when."""
    services, bucket, client = services_of(request), limits(request).notices, address(request)
    await run_in_threadpool(bucket.ensure_open, client)
    try:
        found = await run_in_threadpool(notice_service(services).status, tracking_code)
    except NotFound:
        await run_in_threadpool(bucket.check, client)
        raise
    return RecordResponse(found)


@router.post(
    "/notices/{tracking_code}/appeal",
    response_model=NoticeStatus,
    summary="Contest the decision on an item of a notice (no key)",
    responses={
        **responses(404, 409, 413, 415, 422, 429, 503),
        **replayable(200, "The status page (as it stands now, for a retry under the same key)"),
    },
)
async def appeal(
    request: Request, tracking_code: str, idempotency_key: IdempotencyKey = None
) -> RecordResponse:
    """The notifier contests the decision on one item, acting or not acting (DSA Art. 20),
    within the appeal window; a person other than the first decider decides it. Body:
    `{"item": 0, "text": "why the decision is wrong"}`. Answers the updated status page.
    With an `Idempotency-Key`, a retry of the same appeal answers the status page
    (`Idempotent-Replayed: true`) instead of `409`."""
    services = services_of(request)
    await run_in_threadpool(limits(request).notices.check, address(request))
    if media_type(request) != "application/json":
        raise UnsupportedMedia("send the appeal as application/json")
    body = await read_body(request, services.settings.max_json_bytes)
    given = parse_json(NoticeAppeal, body)
    once = keyed(ReplayScope.NOTICE_APPEAL, idempotency_key, given, within=tracking_code)
    done = await run_in_threadpool(notice_service(services).appeal_once, tracking_code, given, once)
    return RecordResponse(done.status, headers=replay_headers(done.replayed))
