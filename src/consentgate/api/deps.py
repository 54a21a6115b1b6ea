"""Route dependencies shared by every area: one place that maps scopes to checks."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from fastapi import Response

from consentgate.api.auth import require
from consentgate.api.runtime import gate_of
from consentgate.records import Record
from consentgate.service.keys import ApiKey, Scope


def key_with(*scopes: Scope) -> Callable[..., Awaitable[ApiKey]]:
    """Admit a key holding any of ``scopes`` (``admin`` holds them all)."""
    return require(*scopes, gate_of=gate_of)


class RecordResponse(Response):
    """A record serialised once by pydantic (no second validation pass)."""

    media_type = "application/json"

    def __init__(self, record: Record, status_code: int = 200) -> None:
        super().__init__(record.model_dump_json().encode("utf-8"), status_code=status_code)


class RecordsResponse(Response):
    """A JSON list of records."""

    media_type = "application/json"

    def __init__(self, records: Sequence[Record], status_code: int = 200) -> None:
        items = [r.model_dump(mode="json") for r in records]
        super().__init__(json.dumps(items, ensure_ascii=False).encode("utf-8"), status_code)
