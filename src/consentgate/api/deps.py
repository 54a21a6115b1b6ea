"""Route dependencies shared by every area: one place that maps scopes to checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
