"""``/console/cases/{id}``: one case in words, and the forms that decide it.

Every change goes through the case service as the logged-in user (the session's
user, never a form field), so each is an audit event naming them and carrying
their id. Deciding names the version the reviewer saw: if someone decided (or
changed) the case first, the service answers 409 and the page says so plainly,
showing the case as it now stands. Evidence is opened only by a POST with a
reason (``evidence_viewed`` in the same transaction, ``EvidenceVault.view``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import services_of
from consentgate.cases.records import Action, AppealOutcome, Appellant, Case, EventKind
from consentgate.console.pages.access import check_case
from consentgate.console.pages.case_view import build_case_view, checked_case_id
from consentgate.console.pages.route import NO_STORE, PageRoute, page
from consentgate.console.session import console_user, csrf_checked
from consentgate.errors import Conflict, NotFound
from consentgate.fields import INT32_MAX, Text
from consentgate.people import Act, User, require
from consentgate.service.wiring import Services

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Reason = Annotated[Text, Field(min_length=1, max_length=10_000)]
FACTS_PLACEHOLDER = "(the reason you give: specific, and without personal data)"
ACTS = ("remove", "no_action", "escalate")
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""Evidence a browser is given to show; anything else is a download, never rendered."""


class DecisionForm(BaseModel):
    action: Action
    reason: Reason
    version: int = Field(ge=0, le=INT32_MAX)


class ReasonForm(BaseModel):
    reason: Reason


class AppealForm(BaseModel):
    by: Appellant
    text: Reason


class AppealDecisionForm(BaseModel):
    outcome: AppealOutcome
    reason: Reason


def _case_url(case_id: str, done: str | None = None) -> str:
    return f"/console/cases/{case_id}" + (f"?done={done}" if done else "")


async def _render(
    request: Request,
    user: User,
    case_id: str,
    *,
    status_code: int = 200,
    conflict: str | None = None,
    act: str | None = None,
    done: str | None = None,
) -> Response:
    services = services_of(request)
    view = await run_in_threadpool(
        build_case_view, services, user, case_id, facts=FACTS_PLACEHOLDER
    )
    return page(
        request,
        "pages/case.html",
        {
            "v": view,
            "now": services.cases.clock(),
            "conflict": conflict,
            "act": act if act in ACTS else None,
            "done": done if done in DONE else None,
            "DONE": DONE,
        },
        status_code=status_code,
    )


DONE = {
    "escalated": "Escalated: the case is now urgent in its queue.",
    "appealed": "Appeal filed: the case waits in the appeals queue for another reviewer.",
    "appeal_decided": "Appeal decided.",
}


@router.get("/cases/{case_id}")
async def case_page(
    request: Request,
    case_id: str,
    user: Annotated[User, Depends(console_user)],
    act: str | None = None,
    done: str | None = None,
) -> Response:
    return await _render(request, user, case_id, act=act, done=done)


@router.post("/cases/{case_id}/decision", dependencies=[Depends(csrf_checked)])
async def decide(
    request: Request,
    case_id: str,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[DecisionForm, Form()],
) -> Response:
    services = services_of(request)
    await run_in_threadpool(_visible, services, user, case_id)
    try:
        await run_in_threadpool(
            services.cases.decide,
            case_id,
            form.action,
            reason=form.reason,
            actor=user,
            expected_version=form.version,
        )
    except Conflict as exc:
        return await _render(request, user, case_id, status_code=409, conflict=exc.message)
    return RedirectResponse(f"/console/queue?decided={case_id}", status_code=303)


@router.post("/cases/{case_id}/escalation", dependencies=[Depends(csrf_checked)])
async def escalate(
    request: Request,
    case_id: str,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[ReasonForm, Form()],
) -> Response:
    services = services_of(request)
    require(user, Act.DECIDE)
    case = await run_in_threadpool(_visible, services, user, case_id)
    if case.escalated:
        return await _render(
            request, user, case_id, status_code=409, conflict="the case is already escalated"
        )
    await run_in_threadpool(
        services.cases.record, case_id, EventKind.ESCALATED, actor=user, reason=form.reason
    )
    return RedirectResponse(_case_url(case_id, "escalated"), status_code=303)


@router.post("/cases/{case_id}/appeal", dependencies=[Depends(csrf_checked)])
async def appeal(
    request: Request,
    case_id: str,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[AppealForm, Form()],
) -> Response:
    services = services_of(request)
    await run_in_threadpool(_visible, services, user, case_id)
    try:
        await run_in_threadpool(
            services.cases.appeal, case_id, by=form.by, text=form.text, actor=user
        )
    except Conflict as exc:
        return await _render(request, user, case_id, status_code=409, conflict=exc.message)
    return RedirectResponse(_case_url(case_id, "appealed"), status_code=303)


@router.post("/cases/{case_id}/appeal-decision", dependencies=[Depends(csrf_checked)])
async def decide_appeal(
    request: Request,
    case_id: str,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[AppealDecisionForm, Form()],
) -> Response:
    services = services_of(request)
    await run_in_threadpool(_visible, services, user, case_id)
    try:
        await run_in_threadpool(
            services.cases.decide_appeal, case_id, form.outcome, reason=form.reason, actor=user
        )
    except Conflict as exc:
        return await _render(request, user, case_id, status_code=409, conflict=exc.message)
    return RedirectResponse(_case_url(case_id, "appeal_decided"), status_code=303)


@router.post("/cases/{case_id}/evidence/{evidence_id}", dependencies=[Depends(csrf_checked)])
async def reveal(
    request: Request,
    case_id: str,
    evidence_id: str,
    user: Annotated[User, Depends(console_user)],
    form: Annotated[ReasonForm, Form()],
) -> Response:
    """The image, once: its view is an ``evidence_viewed`` event naming the user and reason."""
    services = services_of(request)
    require(user, Act.OPEN_EVIDENCE)
    await run_in_threadpool(_visible, services, user, case_id)
    vault = services.automated.vault
    if vault is None or not any(
        e.id == evidence_id for e in await run_in_threadpool(vault.list, case_id)
    ):
        raise NotFound(f"case {case_id} has no evidence {evidence_id[:40]!r}")
    record, data = await run_in_threadpool(vault.view, evidence_id, actor=user, reason=form.reason)
    case = await run_in_threadpool(services.cases.get, case_id)
    shown = record.media_type in IMAGE_TYPES
    return Response(
        data,
        media_type=record.media_type if shown else "application/octet-stream",
        headers={
            **NO_STORE,
            "X-Case-Version": str(case.version),
            "Content-Disposition": "inline" if shown else "attachment",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _visible(services: Services, user: User, case_id: str) -> Case:
    """The case (404 for an id the service never made, 403 for a queue not shown)."""
    case = services.cases.get(checked_case_id(case_id))
    check_case(user, case)
    return case
