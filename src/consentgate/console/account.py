"""``/console/account``: who is logged in, with which role, until when."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from consentgate.console.session import console_user, logins, session_id
from consentgate.console.templating import templates
from consentgate.people import ROLE_ACTS, User

router = APIRouter()


@router.get("/account")
async def account(request: Request, user: User = Depends(console_user)) -> Response:  # noqa: B008
    service = logins(request)
    session = await run_in_threadpool(service.sessions.find, session_id(request) or "")
    context = {
        "user": user,
        "session": session,
        "acts": sorted(a.value.replace("_", " ") for a in ROLE_ACTS[user.role]),
        "idle_minutes": round(service.sessions.policy.idle.total_seconds() / 60),
    }
    return templates.TemplateResponse(request, "account.html", context)
