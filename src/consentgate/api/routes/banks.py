"""Bank routes, mirroring ``consentgate bank``: banks, entries, import/export, findings.

Writes need ``banks:write``; reads also accept ``moderate``. A change made
through any worker is matched by every worker within about a second (each
worker's index tails the store's change log).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from consentgate.api.bank_schemas import (
    BankChanges,
    NewBank,
    NewEntryBody,
)
from consentgate.api.deps import RecordResponse, RecordsResponse, key_with
from consentgate.api.intake import read_body
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.api.schemas import decode_base64
from consentgate.banks.formats import Format
from consentgate.banks.records import (
    BANK_NAME_PATTERN,
    AddResult,
    Bank,
    BankEntry,
    EntryStatus,
    ImportResult,
    PageSize,
)
from consentgate.banks.service import BankService
from consentgate.errors import BadInput
from consentgate.fields import INT32_MAX, After64
from consentgate.hashing.image import hash_image_bytes
from consentgate.images.limits import ImageLimits
from consentgate.people import actor_name
from consentgate.service.keys import ApiKey, Scope

router = APIRouter(prefix="/v1", tags=["banks"], route_class=StrictJsonRoute)

WRITE = Depends(key_with(Scope.BANKS_WRITE))
READ = Depends(key_with(Scope.BANKS_WRITE, Scope.MODERATE))
ERRORS = problem_responses(401, 403, 404, 409, 422, 429, 503)
BankName = Annotated[str, Query(pattern=BANK_NAME_PATTERN)]
BankPath = Annotated[str, Path(pattern=BANK_NAME_PATTERN)]
EntryId = Annotated[int, Path(ge=1, le=INT32_MAX)]
Limit = Annotated[PageSize, Query()]
AfterId = Annotated[After64, Query(description="the last id of the previous page")]


def bank_service(request: Request) -> BankService:
    return services_of(request).banks.service


def _by(key: ApiKey) -> str:
    """The actor of a bank change: the key's user, else ``key:<id>`` (never a body field)."""
    return actor_name(key.actor)


@router.get("/banks", response_model=list[Bank], summary="List banks", responses=ERRORS)
async def list_banks(request: Request, _key: ApiKey = READ) -> RecordsResponse:
    return RecordsResponse(await run_in_threadpool(bank_service(request).list_banks))


@router.post(
    "/banks", response_model=Bank, status_code=201, summary="Create a bank", responses=ERRORS
)
async def create_bank(request: Request, body: NewBank, key: ApiKey = WRITE) -> RecordResponse:
    bank = await run_in_threadpool(
        bank_service(request).create_bank,
        body.name,
        body.kind,
        threshold=body.threshold,
        enabled=body.enabled,
        description=body.description,
        flood_max_matches=body.flood_max_matches,
        flood_window_s=body.flood_window_s,
        actor=_by(key),
    )
    return RecordResponse(bank, status_code=201)


@router.get("/banks/{name}", response_model=Bank, summary="Get a bank", responses=ERRORS)
async def get_bank(request: Request, name: BankPath, _key: ApiKey = READ) -> RecordResponse:
    return RecordResponse(await run_in_threadpool(bank_service(request).get_bank, name))


@router.patch("/banks/{name}", response_model=Bank, summary="Change a bank", responses=ERRORS)
async def update_bank(
    request: Request, name: BankPath, body: BankChanges, key: ApiKey = WRITE
) -> RecordResponse:
    bank = await run_in_threadpool(
        bank_service(request).update_bank,
        name,
        enabled=body.enabled,
        threshold=body.threshold,
        description=body.description,
        actor=_by(key),
    )
    return RecordResponse(bank)


@router.post(
    "/banks/{name}/entries",
    response_model=AddResult,
    status_code=201,
    summary="Add an entry (hashes only, or an image hashed and discarded)",
    responses=problem_responses(401, 403, 404, 413, 415, 422, 429, 503),
)
async def add_entry(
    request: Request, name: BankPath, body: NewEntryBody, key: ApiKey = WRITE
) -> RecordResponse:
    pdq, quality, md5 = body.pdq, body.quality, body.md5
    if body.image is not None:
        if pdq or md5:
            raise BadInput("give an image or hashes, not both", field="image")
        limits = ImageLimits.from_settings(services_of(request).settings)
        data = decode_base64(body.image, "image")
        hashes = await run_in_threadpool(hash_image_bytes, data, limits=limits)
        pdq, quality, md5 = hashes.pdq, hashes.quality, hashes.md5
    if not pdq and not md5:
        raise BadInput("give pdq and/or md5, or an image", field="pdq")
    result = await run_in_threadpool(
        bank_service(request).add_entry,
        name,
        pdq=pdq.lower() if pdq else None,
        md5=md5.lower() if md5 else None,
        pdq_quality=quality,
        source=body.source,
        external_id=body.external_id,
        added_by=_by(key),
        note=body.note,
        retro=body.retro,
    )
    return RecordResponse(result, status_code=201)


@router.get(
    "/banks/{name}/entries",
    response_model=list[BankEntry],
    summary="List a bank's entries",
    responses=ERRORS,
)
async def list_entries(
    request: Request,
    name: BankPath,
    status: EntryStatus | None = None,
    limit: Limit = 100,
    after_id: AfterId = 0,
    _key: ApiKey = READ,
) -> RecordsResponse:
    entries = await run_in_threadpool(
        bank_service(request).list_entries, name, status=status, limit=limit, after_id=after_id
    )
    return RecordsResponse(entries)


@router.post(
    "/banks/{name}/import",
    response_model=ImportResult,
    summary="Import a hash list (plain, csv or pytx); all or nothing",
    responses=problem_responses(401, 403, 404, 413, 422, 429, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def import_list(
    request: Request,
    name: BankPath,
    format: Format | None = None,
    retro: bool = True,
    key: ApiKey = WRITE,
) -> RecordResponse:
    """The body is the list itself; the format is detected when not given."""
    services = services_of(request)
    raw = await read_body(request, services.settings.max_request_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("the list must be UTF-8 text") from None
    result = await run_in_threadpool(
        services.banks.service.import_text,
        name,
        text,
        fmt=format,
        source="api",
        added_by=_by(key),
        retro=retro,
    )
    return RecordResponse(result)


@router.get(
    "/banks/{name}/export",
    summary="Export a bank's active entries",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/plain": {}}}, **ERRORS},
)
async def export(
    request: Request,
    name: BankPath,
    format: Format = Format.PLAIN,
    _key: ApiKey = READ,
) -> StreamingResponse:
    chunks = await run_in_threadpool(bank_service(request).export, name, format)
    media = "text/csv" if format is Format.CSV else "text/plain"
    return StreamingResponse(iter(list(chunks)), media_type=f"{media}; charset=utf-8")
