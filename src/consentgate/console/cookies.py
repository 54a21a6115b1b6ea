"""The console's cookies: names, flags and when they are ``Secure``.

Every cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no
other site's page sends it) and ``Path=/``. It is ``Secure`` (HTTPS only, and
then named with the ``__Host-`` prefix, which browsers refuse to let another
subdomain set) unless ``CONSENTGATE_CONSOLE_SECURE_COOKIES`` is ``off``, or
``auto`` and the service binds a loopback address: plain http on 127.0.0.1,
where a browser would not send a Secure cookie back to ``make run``. A service
reachable from a network is expected behind TLS (docs/console.md).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.responses import Response

from consentgate.settings import SecureCookies, Settings

SESSION = "cg_session"
"""The session id (the store keeps its hash only)."""
LOGIN_CSRF = "cg_csrf"
"""A random value whose hash is the CSRF token of forms shown to nobody logged in."""


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Cookies:
    secure: bool

    @classmethod
    def of(cls, settings: Settings) -> Cookies:
        mode = settings.console_secure_cookies
        if mode is SecureCookies.AUTO:
            return cls(secure=not is_loopback(settings.host))
        return cls(secure=mode is SecureCookies.ON)

    def name(self, base: str) -> str:
        return f"__Host-{base}" if self.secure else base

    def set(self, response: Response, base: str, value: str) -> None:
        """A cookie for this browser session (the store decides when a session ends)."""
        response.set_cookie(
            self.name(base),
            value,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def clear(self, response: Response, base: str) -> None:
        response.delete_cookie(
            self.name(base), path="/", secure=self.secure, httponly=True, samesite="strict"
        )
