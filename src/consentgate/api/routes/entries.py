"""Entry routes: one entry by id, withdraw and reinstate it; retro-match findings; alerts.

Same scopes as the bank routes: writes need ``banks:write``, reads also accept
``moderate``. A withdrawal stops the entry matching on every worker within a second.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from consentgate.api.bank_schemas import Reinstate, StatusChange
from consentgate.api.deps import RecordResponse, RecordsResponse
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.routes.banks import (
    ERRORS,
    READ,
    WRITE,
    AfterId,
    BankName,
    EntryId,
    Limit,
    _by,
    bank_service,
)
from consentgate.api.runtime import services_of
from consentgate.banks.alerts import BankAlert
from consentgate.banks.records import BankEntry, RetroFinding
from consentgate.service.keys import ApiKey

router = APIRouter(prefix="/v1", tags=["banks"], route_class=StrictJsonRoute)


@router.get(
    "/entries/{entry_id}", response_model=BankEntry, summary="Get an entry", responses=ERRORS
)
async def get_entry(request: Request, entry_id: EntryId, _key: ApiKey = READ) -> RecordResponse:
    return RecordResponse(await run_in_threadpool(bank_service(request).get_entry, entry_id))


@router.post(
    "/entries/{entry_id}/withdraw",
    response_model=BankEntry,
    summary="Withdraw an entry (stops matching within a second everywhere)",
    responses=ERRORS,
)
async def withdraw(
    request: Request, entry_id: EntryId, body: StatusChange, key: ApiKey = WRITE
) -> RecordResponse:
    entry = await run_in_threadpool(
        bank_service(request).withdraw,
        entry_id,
        reason=body.reason,
        delete=body.delete,
        actor=_by(key),
    )
    return RecordResponse(entry)


@router.post(
    "/entries/{entry_id}/reinstate",
    response_model=BankEntry,
    summary="Reinstate a quarantined or withdrawn entry",
    responses=ERRORS,
)
async def reinstate(
    request: Request, entry_id: EntryId, body: Reinstate, key: ApiKey = WRITE
) -> RecordResponse:
    entry = await run_in_threadpool(
        bank_service(request).reinstate, entry_id, reason=body.reason, actor=_by(key)
    )
    return RecordResponse(entry)


@router.get(
    "/findings",
    response_model=list[RetroFinding],
    summary="Already-screened content matching entries added later",
    responses=ERRORS,
)
async def findings(
    request: Request,
    bank: BankName | None = None,
    limit: Limit = 100,
    after_id: AfterId = 0,
    _key: ApiKey = READ,
) -> RecordsResponse:
    found = await run_in_threadpool(
        bank_service(request).findings, bank=bank, limit=limit, after_id=after_id
    )
    return RecordsResponse(found)


@router.get(
    "/alerts",
    response_model=list[BankAlert],
    summary="Floods on entries that keep matching (ncii, csam, consent, takedown)",
    responses=ERRORS,
)
async def alerts(
    request: Request,
    limit: Limit = 100,
    after_id: AfterId = 0,
    _key: ApiKey = READ,
) -> RecordsResponse:
    """Oldest first; page with `after_id`. An alert says an entry of a protected kind
    passed its bank's flood limit; the entry kept matching and waits for a reviewer."""
    alerts_log = services_of(request).banks.alerts
    found = await run_in_threadpool(alerts_log.list, limit=limit, after_id=after_id)
    return RecordsResponse(found)
