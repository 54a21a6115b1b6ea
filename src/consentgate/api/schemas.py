"""Request and response bodies of the HTTP API (routes live apart, in ``routes/``).

Images travel as standard base64 in JSON (whitespace is ignored, so the output
of ``base64`` works as is) or as file parts in ``multipart/form-data``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from consentgate.errors import BadInput
from consentgate.fields import Line, Prompt
from consentgate.records import MAX_HISTORY_TURNS, HistoryTurn, Mode, ScreenRequest, Subject

Base64Image = Annotated[
    str,
    Field(
        description="the image file, base64-encoded",
        json_schema_extra={"contentEncoding": "base64", "contentMediaType": "image/*"},
    ),
]


def decode_base64(value: str, field: str) -> bytes:
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadInput(f"{field} is not valid base64", field=field) from None
    if not data:
        raise BadInput(f"{field} is empty", field=field)
    return data


class ScreenFields(BaseModel):
    """The text fields of a screen request (shared by JSON and multipart)."""

    model_config = ConfigDict(extra="forbid")

    id: Line | None = Field(None, max_length=200, description="your own request id, echoed")
    mode: Mode = Field(Mode.GENERATE, description="generate, edit or upload")
    prompt: Prompt | None = Field(None, max_length=20_000, description="the prompt to screen")
    history: list[HistoryTurn] = Field(
        [],
        max_length=MAX_HISTORY_TURNS,
        description="the earlier prompts of the same conversation, oldest first (at most "
        "20, each within the prompt limit); the prompt is read in their context",
    )
    subject: Subject | None = Field(None, description="hint about who is depicted; only tightens")

    def to_request(self, source: bytes | None, output: bytes | None) -> ScreenRequest:
        if not (self.prompt and self.prompt.strip()) and source is None and output is None:
            raise BadInput("give a prompt, a source_image or an output_image", field="prompt")
        if self.history and not (self.prompt and self.prompt.strip()):
            raise BadInput(
                "history needs a prompt: the earlier turns are read with it", field="history"
            )
        return ScreenRequest(
            id=self.id,
            mode=self.mode,
            prompt=self.prompt,
            history=tuple(self.history),
            subject=self.subject,
            source_image=source,
            output_image=output,
        )


class ScreenBody(ScreenFields):
    """``POST /v1/screen`` as JSON."""

    source_image: Base64Image | None = Field(None, description="the photo to edit, base64")
    output_image: Base64Image | None = Field(None, description="the generated result, base64")

    def to_screen_request(self) -> ScreenRequest:
        return self.to_request(
            decode_base64(self.source_image, "source_image") if self.source_image else None,
            decode_base64(self.output_image, "output_image") if self.output_image else None,
        )


class ScreenForm(BaseModel):
    """``POST /v1/screen`` as multipart/form-data: the text fields plus file parts."""

    id: Line | None = Field(None, max_length=200)
    mode: Mode = Mode.GENERATE
    prompt: Prompt | None = Field(None, max_length=20_000)
    history: list[HistoryTurn] = Field(
        [], max_length=MAX_HISTORY_TURNS, description="one field per earlier turn, oldest first"
    )
    subject: Subject | None = None
    source_image: bytes | None = Field(None, json_schema_extra={"format": "binary"})
    output_image: bytes | None = Field(None, json_schema_extra={"format": "binary"})


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    detectors: list[str] = Field(description="the detectors running")
    policy: str
    turned_off: dict[str, str] = Field(
        default_factory=dict, description="installed detectors the operator turned off, and how"
    )
    protections_off: list[str] = Field(
        default_factory=list,
        description="parts of a request no running detector reads for a protection the policy "
        "relies on (`target: protection`); such requests go to review (R9)",
    )
    evidence: Literal["on", "off"] = Field(
        "off",
        description="whether child-safety evidence is kept (`off`: CONSENTGATE_EVIDENCE_KEY "
        "is not set, CS-2 not met)",
    )
