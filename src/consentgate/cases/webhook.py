"""The webhook contract: a signed JSON POST the platform can verify (docs/actions.md).

The body is the action's payload as canonical JSON (sorted keys, no spaces), so
every retry of an action sends the same bytes under the same ``Idempotency-Key``.
The signature covers the timestamp too (``HMAC-SHA256(secret, timestamp + "." +
body)``), so a captured request cannot be replayed later: the platform refuses a
timestamp older than a few minutes, as Stripe's and Slack's receivers do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from consentgate.cases.outbox import CaseAction

SIGNATURE = "X-ConsentGate-Signature"
TIMESTAMP = "X-ConsentGate-Timestamp"
IDEMPOTENCY_KEY = "Idempotency-Key"
ATTEMPT = "X-ConsentGate-Attempt"


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


class WebhookSender:
    """POSTs one action to the platform; an HTTP failure is an outcome, not an exception."""

    def __init__(self, url: str, secret: str, client: httpx.Client) -> None:
        self.url = url
        self.secret = secret
        self.client = client

    def send(self, action: CaseAction, now: datetime) -> Delivery:
        body = body_of(action.payload)
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE: sign(self.secret, timestamp, body),
            TIMESTAMP: timestamp,
            IDEMPOTENCY_KEY: action.idempotency_key,
            ATTEMPT: str(action.attempts),
        }
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Delivery(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Delivery(ok=True, status=response.status_code)
        return Delivery(ok=False, status=response.status_code, error=f"HTTP {response.status_code}")
