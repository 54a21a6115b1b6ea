"""Security headers on every console response, and the log-in form's CSRF cookie.

- ``Content-Security-Policy``: scripts, styles and images from this origin
  only (no inline script or style, no ``eval``), forms post only here, no
  framing, no ``<base>``.
- ``X-Frame-Options: DENY`` for browsers that ignore ``frame-ancestors``;
  ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: no-referrer`` (a
  case URL never leaves in a Referer); ``Cross-Origin-Opener-Policy``.
- ``Cache-Control: no-store`` on every page (pages show case data and
  tokens); the static files may be cached (their URLs carry a version).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentgate.console.cookies import LOGIN_CSRF
from consentgate.console.session import NEW_CSRF_COOKIE, cookies
from consentgate.errors import ConsentGateError

PREFIX = "/console"
STATIC = "/console/static/"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page_headers(path: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if path.startswith(STATIC):
        headers["Cache-Control"] = "public, max-age=3600"
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return headers


class ConsoleHeaders:
    """The middleware that adds ``page_headers`` to every response under ``/console``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in page_headers(path).items():
                    headers[name] = value
                _csrf_cookie(scope, headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def _csrf_cookie(scope: Scope, headers: MutableHeaders) -> None:
    """Set the ``cg_csrf`` cookie a page minted while rendering its forms."""
    value = scope.get("state", {}).get(NEW_CSRF_COOKIE)
    if not value:
        return
    carrier = Response()
    try:
        cookies(Request(scope)).set(carrier, LOGIN_CSRF, value)
    except (ConsentGateError, AttributeError):  # services not loaded: no form was shown
        return
    for name, raw in carrier.raw_headers:
        if name == b"set-cookie":
            headers.append("set-cookie", raw.decode("latin-1"))
