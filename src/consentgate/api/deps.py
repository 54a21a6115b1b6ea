"""Route dependencies shared by every area: one place that maps scopes to checks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from fastapi import Response

from consentgate.api.auth import KeyRequirement
from consentgate.records import Record
from consentgate.service.keys import Scope


def key_with(*scopes: Scope) -> KeyRequirement:
    """Admit a key holding any of ``scopes`` (``admin`` holds them all).

    The check runs in ``KeyGate`` before the body is read; the dependency hands
    the route the admitted key.
    """
    return KeyRequirement(scopes)


class RecordResponse(Response):
    """A record serialised once by pydantic (no second validation pass)."""

    media_type = "application/json"

    def __init__(
        self, record: Record, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        body = record.model_dump_json().encode("utf-8")
        super().__init__(body, status_code=status_code, headers=headers)


class RecordsResponse(Response):
    """A JSON list of records."""

    media_type = "application/json"

    def __init__(self, records: Sequence[Record], status_code: int = 200) -> None:
        items = [r.model_dump(mode="json") for r in records]
        super().__init__(json.dumps(items, ensure_ascii=False).encode("utf-8"), status_code)
