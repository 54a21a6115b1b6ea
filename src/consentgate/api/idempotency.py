"""The ``Idempotency-Key`` request header and the ``Idempotent-Replayed`` answer header.

Why a declared header (not read by hand): the schema edge refuses a malformed
key with the same 422 as any other bad input, naming ``Idempotency-Key``, and
the OpenAPI document shows the header on every route that takes it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel

from consentgate.cases.replays import IDEMPOTENCY_KEY, KEY_PATTERN, REPLAY_LIFETIME, ReplayScope
from consentgate.cases.replays import KeyedRequest as KeyedRequest

REPLAYED = "Idempotent-Replayed"
HOURS = int(REPLAY_LIFETIME.total_seconds() // 3600)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY,
        min_length=1,
        max_length=255,
        pattern=KEY_PATTERN,
        description="Your own key for this request (1 to 255 printable ASCII characters). "
        f"A retry with the same key and the same body within {HOURS} hours gets the first "
        "answer again, with `Idempotent-Replayed: true`, and nothing is filed twice; the same "
        "key with another body is 409.",
    ),
]


def keyed(
    scope: ReplayScope, key: str | None, request: BaseModel, *, within: str = ""
) -> KeyedRequest | None:
    """The request under its key, or None when the caller gave none (today's behaviour)."""
    return None if key is None else KeyedRequest.of(scope, key, request, within=within)


def replay_headers(replayed: bool) -> dict[str, str]:
    return {REPLAYED: "true"} if replayed else {}


def replayable(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of a success that may be a replay."""
    return {
        status: {
            "description": description,
            "headers": {
                REPLAYED: {
                    "description": "`true` when the answer is that of an earlier request "
                    f"with the same `{IDEMPOTENCY_KEY}` and body",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            },
        }
    }
