"""One short exception hierarchy, translated at exactly one edge.

The HTTP API maps ``http_status`` to an RFC 9457 problem document and the CLI
maps ``exit_code`` to its exit status. A detection is never an exception: a
blocked request is a normal ``Decision``. Messages are written for the caller
and never include internals (paths, stack traces, SQL).
"""

from __future__ import annotations

from typing import ClassVar


class ConsentGateError(Exception):
    """Base of every error ConsentGate raises on purpose."""

    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    title: ClassVar[str] = "Internal error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConfigError(ConsentGateError):
    """A setting or policy file is invalid. Raised at start-up, before serving."""

    exit_code = 2
    title = "Invalid configuration"


class BadInput(ConsentGateError):
    """The caller sent something we cannot process."""

    http_status = 422
    exit_code = 2
    title = "Invalid input"


class UnsupportedMedia(BadInput):
    http_status = 415
    title = "Unsupported media"


class TooLarge(BadInput):
    http_status = 413
    title = "Payload too large"


class NotFound(ConsentGateError):
    http_status = 404
    exit_code = 3
    title = "Not found"


class Conflict(ConsentGateError):
    http_status = 409
    exit_code = 3
    title = "Conflict"


class Unauthorized(ConsentGateError):
    http_status = 401
    exit_code = 4
    title = "Unauthorized"


class Forbidden(ConsentGateError):
    http_status = 403
    exit_code = 4
    title = "Forbidden"


class RateLimited(ConsentGateError):
    http_status = 429
    exit_code = 5
    title = "Too many requests"


class NotReady(ConsentGateError):
    """503: loading, or unable to serve for a while; ``Retry-After`` says when to ask again."""

    http_status = 503
    exit_code = 5
    title = "Service not ready"
    retry_after_s = 5


class DetectorUnavailable(ConfigError):
    """A detector's optional dependency or model file is missing."""


class StoreUnavailable(NotReady):
    """The store cannot take the request now: unreachable, full, read-only or locked.

    A 503 with ``Retry-After`` on every route and its own CLI exit code, never a
    500: the request was sound and may succeed once the store recovers, which
    needs no restart. ``consentgate.store.faults`` decides which store errors
    mean this; the message names the kind of fault, never the driver's text.
    """

    exit_code = 6
    title = "Store unavailable"

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
