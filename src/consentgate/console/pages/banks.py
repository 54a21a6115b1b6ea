"""``/console/banks``: bank sizes, recent matches, quarantined entries; add, withdraw, reinstate.

Every logged-in reviewer may read it (hashes only, never an image); the forms
are for roles that may change banks (``Act.CHANGE_BANKS``: moderator, admin).
Each change goes through the bank service, which writes a ``bank_changed``
event naming the user and the reason; a reason is required for every change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import services_of
from consentgate.banks.records import Bank, BankEntry, EntryStatus
from consentgate.console.pages.route import PageRoute, page
from consentgate.console.session import console_user, csrf_checked, requires
from consentgate.fields import INT64_MAX, Line, Text
from consentgate.people import Act, User
from consentgate.service.wiring import Services

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CHANGE_BANKS = Depends(requires(Act.CHANGE_BANKS))
RECENT = 20
QUARANTINED_SHOWN = 50
Reason = Annotated[Text, Field(min_length=1, max_length=500)]
CHANGES = {
    "added": "Entry added.",
    "withdrawn": "Entry withdrawn: it no longer matches.",
    "reinstated": "Entry reinstated: it matches again.",
}


class AddForm(BaseModel):
    bank: Annotated[Line, Field(min_length=1, max_length=64)]
    pdq: Annotated[Line, Field(max_length=64)] = ""
    md5: Annotated[Line, Field(max_length=32)] = ""
    reason: Reason


class EntryForm(BaseModel):
    entry_id: int = Field(ge=1, le=INT64_MAX)
    reason: Reason


def _overview(services: Services) -> dict[str, object]:
    banks = services.banks
    listed: list[Bank] = banks.service.list_banks()
    quarantined: dict[str, list[BankEntry]] = {
        bank.name: banks.service.list_entries(
            bank.name, status=EntryStatus.QUARANTINED, limit=QUARANTINED_SHOWN
        )
        for bank in listed
    }
    return {
        "banks": listed,
        "quarantined": quarantined,
        "findings": banks.service.findings(limit=RECENT, newest_first=True),
        "alerts": list(banks.alerts.list(limit=RECENT, newest_first=True)),
    }


@router.get("/banks")
async def banks_page(
    request: Request, user: Annotated[User, Depends(console_user)], done: str | None = None
) -> Response:
    overview = await run_in_threadpool(_overview, services_of(request))
    return page(
        request,
        "pages/banks.html",
        {
            **overview,
            "may_change": user.may(Act.CHANGE_BANKS),
            "done": CHANGES.get(done or ""),
        },
    )


@router.post("/banks/entries", dependencies=[CHANGE_BANKS, Depends(csrf_checked)])
async def add_entry(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[AddForm, Form()],
) -> Response:
    await run_in_threadpool(
        services_of(request).banks.service.add_entry,
        form.bank,
        pdq=form.pdq.strip().lower() or None,
        md5=form.md5.strip().lower() or None,
        source="console",
        added_by=user.name,
        note=form.reason,
    )
    return RedirectResponse("/console/banks?done=added", status_code=303)


@router.post("/banks/withdrawals", dependencies=[CHANGE_BANKS, Depends(csrf_checked)])
async def withdraw(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[EntryForm, Form()],
) -> Response:
    await run_in_threadpool(
        services_of(request).banks.service.withdraw,
        form.entry_id,
        reason=form.reason,
        actor=user.name,
    )
    return RedirectResponse("/console/banks?done=withdrawn", status_code=303)


@router.post("/banks/reinstatements", dependencies=[CHANGE_BANKS, Depends(csrf_checked)])
async def reinstate(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[EntryForm, Form()],
) -> Response:
    await run_in_threadpool(
        services_of(request).banks.service.reinstate,
        form.entry_id,
        reason=form.reason,
        actor=user.name,
    )
    return RedirectResponse("/console/banks?done=reinstated", status_code=303)
