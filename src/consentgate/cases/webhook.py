"""The webhook contract: a signed JSON POST the platform can verify (docs/actions.md).

The body is the action's payload as canonical JSON (sorted keys, no spaces), so
every retry of an action sends the same bytes under the same ``Idempotency-Key``.
The signature covers the timestamp too (``HMAC-SHA256(secret, timestamp + "." +
body)``), so a captured request cannot be replayed later: the platform refuses a
timestamp older than a few minutes, as Stripe's and Slack's receivers do.

An attempt that fails says whether the platform may still have acted on it
(``Delivery.unknown``): only a connection never made, or an answer that refuses
(not 2xx, not 5xx), is a definite "not done". A cut-off answer, a broken
connection after the request left, or a 5xx (a gateway's 502 or 504 may follow
the work) is an outcome unknown, and a possible outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from consentgate.cases.deadline import DeliveryDeadline
from consentgate.cases.outbox import CaseAction

SIGNATURE = "X-ConsentGate-Signature"
TIMESTAMP = "X-ConsentGate-Timestamp"
IDEMPOTENCY_KEY = "Idempotency-Key"
ATTEMPT = "X-ConsentGate-Attempt"
DEFAULT_TIMEOUT_S = 10.0


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a platform runs on receipt (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt's outcome: delivered, or why not (never the response body)."""

    ok: bool
    status: int | None = None
    error: str = ""
    unknown: bool = False  # may have been carried out: no definite answer


class WebhookSender:
    """POSTs one action to the platform; an HTTP failure is an outcome, not an exception."""

    def __init__(
        self, url: str, secret: str, client: httpx.Client, timeout_s: float | None = None
    ) -> None:
        self.url = url
        self.secret = secret
        self.client = client
        # The whole delivery's deadline; the client's own timeouts are per operation.
        self.timeout_s = timeout_s or client.timeout.read or DEFAULT_TIMEOUT_S

    def send(self, action: CaseAction, now: datetime) -> Delivery:
        body = body_of(action.payload)
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE: sign(self.secret, timestamp, body),
            TIMESTAMP: timestamp,
            IDEMPOTENCY_KEY: action.idempotency_key,
            ATTEMPT: str(action.attempts),
            "Connection": "close",  # a connection of its own, which the deadline may cut
        }
        deadline = DeliveryDeadline(self.timeout_s)
        try:
            with (
                deadline,
                self.client.stream(
                    "POST",
                    self.url,
                    content=body,
                    headers=headers,
                    extensions={"trace": deadline.trace},
                ) as response,  # the status is the answer: the body is never read
            ):
                status = response.status_code
        except httpx.HTTPError as exc:
            if deadline.expired:
                error = f"no answer within {self.timeout_s:g} s; the outcome is unknown"
                return Delivery(ok=False, error=error, unknown=True)
            never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            error = f"{type(exc).__name__}: {exc}"[:500]
            return Delivery(ok=False, error=error, unknown=not never_sent)
        if 200 <= status < 300:
            return Delivery(ok=True, status=status)
        return Delivery(ok=False, status=status, error=f"HTTP {status}", unknown=status >= 500)
