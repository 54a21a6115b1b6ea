"""``/console/login`` and ``/console/logout``.

A log-in starts a new session id (the one the browser held before, if any, is
ended: no session fixation), sets it in an ``HttpOnly; SameSite=Strict``
cookie and drops the log-in form's CSRF cookie. Failed attempts spend the
failed-authentication bucket of the client's address (the counters every
worker shares, as for API keys), so guessing from one address is slowed to
``CONSENTGATE_AUTH_FAILURE_RATE_PER_S`` whatever the accounts' lock-outs.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import runtime_of
from consentgate.console.cookies import LOGIN_CSRF, SESSION
from consentgate.console.session import (
    console_user,
    cookies,
    csrf_checked,
    logins,
    safe_next,
    session_id,
)
from consentgate.console.templating import templates
from consentgate.errors import ConsentGateError, RateLimited
from consentgate.people import User

router = APIRouter()


def _page(
    request: Request,
    *,
    next_: str,
    name: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    failures = logins(request).lockout.failures
    context = {"next": next_, "name": name, "error": error, "notice": notice, "failures": failures}
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    """The log-in form; a browser already logged in goes straight on to ``next``."""
    target = safe_next(next)
    raw = session_id(request)
    if raw and await run_in_threadpool(logins(request).sessions.find, raw) is not None:
        return RedirectResponse(target, status_code=303)
    notice = "You have logged out." if request.query_params.get("bye") == "1" else None
    return _page(request, next_=target, notice=notice)


@router.post("/login", dependencies=[Depends(csrf_checked)])
async def login(
    request: Request,
    name: str = Form("", max_length=1000),
    password: str = Form("", max_length=1024),
    next: str = Form("", max_length=2000),
) -> Response:
    """Check the password; on success a fresh session and a 303 to ``next``."""
    target = safe_next(next)
    limits = runtime_of(request).ready_limits()
    address = limits.client.of(request.scope)
    try:
        await run_in_threadpool(limits.failures.ensure_open, address)
        user, raw = await run_in_threadpool(
            logins(request).log_in, name, password, replacing=session_id(request)
        )
    except RateLimited as exc:
        return _page(request, next_=target, name=name, error=exc.message, status=429)
    except ConsentGateError as refused:  # wrong, locked or disabled: the page says which
        why: ConsentGateError = refused
        try:
            await run_in_threadpool(limits.failures.check, address)
        except RateLimited as limited:
            why = limited
        return _page(request, next_=target, name=name, error=why.message, status=why.http_status)
    response = RedirectResponse(target, status_code=303)
    jar = cookies(request)
    jar.set(response, SESSION, raw)
    jar.clear(response, LOGIN_CSRF)
    request.state.user = user
    return response


@router.post("/logout", dependencies=[Depends(csrf_checked)])
async def logout(request: Request, _user: User = Depends(console_user)) -> Response:  # noqa: B008
    """End the session (a ``logged_out`` event) and return to the log-in page."""
    raw = session_id(request)
    if raw:
        await run_in_threadpool(logins(request).log_out, raw)
    response = RedirectResponse("/console/login?bye=1", status_code=303)
    cookies(request).clear(response, SESSION)
    return response
