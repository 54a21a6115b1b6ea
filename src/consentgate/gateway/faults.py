"""What goes wrong on the far side of the gateway, as problem documents of its own.

Why not the service's 500: an upstream that fails, hangs or answers garbage is
no bug of ours, and the client should tell them apart (retry a 504, report a
502). The proxy's edge maps these to 502/504 problem+json documents that name
the fault, never the upstream's text (which may echo the client's key).
"""

from __future__ import annotations

from consentgate.errors import ConsentGateError


class GatewayFault(ConsentGateError):
    """The upstream could not be used: 502 unless a subclass says otherwise."""

    http_status = 502
    title = "Bad gateway"


class UpstreamFailed(GatewayFault):
    """The upstream answered 5xx, could not be reached, or answered over the size limit."""


class UpstreamAnswerInvalid(GatewayFault):
    """The upstream answered 2xx with a body or an image that cannot be read or screened."""


class UpstreamTimedOut(GatewayFault):
    """The upstream (or an output image's URL) took longer than CONSENTGATE_GATEWAY_TIMEOUT_S."""

    http_status = 504
    title = "Gateway timeout"
