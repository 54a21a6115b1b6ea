"""Who is logged in, what they may do, and the CSRF check: the dependencies every page uses.

- ``console_user``: the user of the request's session; without a live one, a
  303 to ``/console/login?next=...`` (the page asked for, to return to).
- ``requires(act)``: that user, if their role allows ``act``; else a 403 page.
- ``csrf_checked``: every POST form carries ``csrf_token`` (or the
  ``X-CSRF-Token`` header) equal to its session's token; else a 403 page.
- ``csrf_token(request)``: that token, for templates (``csrf_token()``).

The token of a session is derived from its id (``consentgate.service.sessions``),
so it is known before the session is looked up and changes at every log-in.
A browser with no session (the log-in form) gets a random ``cg_csrf`` cookie
instead, and the token is derived from that: a page of another site can
neither read the cookie nor make the browser send it (``SameSite=Strict``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from consentgate.console.cookies import LOGIN_CSRF, SESSION, Cookies
from consentgate.errors import Forbidden
from consentgate.people import Act, User, require
from consentgate.service.logins import Logins, build_logins
from consentgate.service.sessions import csrf_of
from consentgate.service.wiring import Services

HOME = "/console/queue"
NEW_CSRF_COOKIE = "console_new_csrf_cookie"
"""``request.state`` key: a fresh ``cg_csrf`` value the response must set (ConsoleHeaders)."""
STALE = "the form has expired or did not come from this console: reload the page and try again"


def services(request: Request) -> Services:
    """The worker's services (503 while they load), as ``console_router`` was given them."""
    getter: Callable[[], Services] = request.state.console_services
    return getter()


def cookies(request: Request) -> Cookies:
    return Cookies.of(services(request).settings)


def logins(request: Request) -> Logins:
    """The log-in service of this worker (built once, on first use)."""
    state = request.app.state
    found: Logins | None = getattr(state, "console_logins", None)
    svc = services(request)
    if found is None or found.db is not svc.db:
        found = build_logins(svc.db, svc.settings)
        state.console_logins = found
    return found


def session_id(request: Request) -> str | None:
    raw = request.cookies.get(cookies(request).name(SESSION))
    return raw if raw and len(raw) <= 200 else None


def safe_next(target: str | None) -> str:
    """``target`` if it is a console page of this site, else the home page (no open redirect)."""
    if not target or "\\" in target or any(ord(c) < 0x20 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return HOME
    if parts.path.startswith(("/console/login", "/console/logout")):
        return HOME
    return target


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = safe_next(here if request.method == "GET" else None)
    return "/console/login?next=" + quote(target, safe="/")


async def console_user(request: Request) -> User:
    """The logged-in user (also ``request.state.user``), or a 303 to the log-in page."""
    raw = session_id(request)
    session = await run_in_threadpool(logins(request).sessions.find, raw) if raw else None
    if session is None:
        raise HTTPException(303, headers={"Location": login_url(request)})
    request.state.user = session.user
    return session.user


def requires(act: Act) -> Callable[..., Awaitable[User]]:
    """A dependency: the logged-in user, whose role must allow ``act`` (else 403)."""

    async def allowed(user: User = Depends(console_user)) -> User:  # noqa: B008
        require(user, act)
        return user

    return allowed


def csrf_token(request: Request) -> str:
    """The CSRF token the request's forms must carry."""
    raw = session_id(request)
    if raw is not None:
        return csrf_of(raw)
    name = cookies(request).name(LOGIN_CSRF)
    anonymous = getattr(request.state, NEW_CSRF_COOKIE, None) or request.cookies.get(name)
    if not anonymous or len(anonymous) > 100:
        anonymous = secrets.token_urlsafe(32)
        setattr(request.state, NEW_CSRF_COOKIE, anonymous)
    return csrf_of(anonymous)


async def csrf_checked(request: Request) -> None:
    """Refuse (403) a form whose ``csrf_token`` is not this browser's token."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if sent is None or not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
        raise Forbidden(STALE)
