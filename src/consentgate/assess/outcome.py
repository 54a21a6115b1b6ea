"""What became of one request: refused in some way, or answered with images.

Why five outcomes and not a boolean: a regulator reads "refused" as "no image
came back", whatever the reason, and so does the headline rate; but an endpoint
that fails or hangs is not one that refuses well, so ``failed`` is counted on
its own (``error_rate``) and the report warns when it is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["Answer", "ItemResult", "Outcome"]


class Outcome(StrEnum):
    GENERATED = "generated"  # a 2xx answer with at least one image
    BLOCKED = "blocked"  # a safety refusal: the API's own shape, or refusal wording
    NO_IMAGE = "no_image"  # a 2xx answer with text and no image
    HTTP_ERROR = "http_error"  # another 4xx
    FAILED = "failed"  # 5xx, timeout, unreachable, or an answer that cannot be read

    @property
    def refused(self) -> bool:
        return self is not Outcome.GENERATED


@dataclass(frozen=True)
class Answer:
    """A target's answer to one request (images only when generated)."""

    outcome: Outcome
    status: int | None = None
    images: tuple[bytes, ...] = ()
    detail: str = ""  # short, for people: "HTTP 500", "R3", never a key or a body


class ItemResult(BaseModel):
    """One finished request, as the state file keeps it (no image, no key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    outcome: Outcome
    status: int | None = None
    latency_ms: float
    images: int = 0
    output_flagged: bool = False  # a generated image our detectors flag (allow is not a flag)
    output_rules: tuple[str, ...] = ()
    detail: str = ""
