"""Reads a request body within the size limit and turns it into a ScreenRequest.

The body is read in chunks and refused with 413 as soon as it passes
``max_request_bytes`` (before it is all in memory); the declared
Content-Length is checked first. JSON and multipart/form-data are accepted;
any other media type is refused with 415.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from consentgate.api.schemas import ScreenBody, ScreenFields, decode_base64
from consentgate.errors import BadInput, TooLarge, UnsupportedMedia
from consentgate.jsonkeys import refuse_duplicate_keys
from consentgate.records import MAX_HISTORY_TURNS, ScreenRequest

IMAGE_FIELDS = ("source_image", "output_image")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body is over the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the request body is over the {limit}-byte limit")
    return bytes(body)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def validation_error(exc: ValidationError) -> BadInput:
    """The first pydantic error as a 422 that names its field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    if err["type"] == "json_invalid":
        return BadInput("the body is not valid JSON")
    message = f"{field}: {err['msg']}" if field else str(err["msg"])
    return BadInput(message, field=field)


BodyModel = TypeVar("BodyModel", bound=BaseModel)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")
HIDDEN = "\u2063"
"""What a lone surrogate in a prompt is read as: an invisible (Cf) character,
which normalisation removes and names (``hidden_characters``)."""


def parse_json(model: type[BodyModel], body: bytes) -> BodyModel:
    """A JSON body as ``model``, or a 422 naming the first bad field.

    A prompt is never bad input: a ``\\ud800``-style escape of half a surrogate
    pair is valid JSON that no UTF-8 string can hold, so the prompt's are read
    as hidden characters (the screen goes on and the decision says so); in any
    other field it is a 422 naming that field.
    """
    refuse_duplicate_keys(body)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        if exc.errors()[0]["type"] != "json_invalid":
            raise validation_error(exc) from None
        try:
            data: Any = json.loads(body)
        except (ValueError, RecursionError):
            raise validation_error(exc) from None
    if isinstance(data, dict) and isinstance(data.get("prompt"), str):
        data["prompt"] = LONE_SURROGATE.sub(HIDDEN, data["prompt"])
    if isinstance(data, dict) and isinstance(data.get("history"), list):
        data["history"] = [
            LONE_SURROGATE.sub(HIDDEN, turn) if isinstance(turn, str) else turn
            for turn in data["history"]
        ]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


async def _single(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


async def parse_multipart(request: Request, body: bytes, limit: int) -> ScreenRequest:
    parser = MultiPartParser(
        request.headers,
        _single(body),
        max_files=2,
        max_fields=8 + MAX_HISTORY_TURNS + 1,  # one more turn than allowed: refused by name
        max_part_size=limit,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadInput(f"malformed multipart body: {exc.message}") from None
    images: dict[str, bytes | None] = dict.fromkeys(IMAGE_FIELDS)
    text: dict[str, str | list[str]] = {}
    history: list[str] = []
    try:
        for name, value in form.multi_items():
            if name in images:
                if isinstance(value, UploadFile):
                    images[name] = await value.read() or None
                else:
                    images[name] = decode_base64(value, name)
            elif name == "history" and isinstance(value, str):
                history.append(value)  # one field per turn, in order
            elif isinstance(value, str):
                text[name] = value
            else:
                raise BadInput(f"{name} must be a text field, not a file", field=name)
    finally:
        await form.close()
    if history:
        text["history"] = history
    try:
        fields = ScreenFields.model_validate(text)
    except ValidationError as exc:
        raise validation_error(exc) from None
    return fields.to_request(images["source_image"], images["output_image"])


async def read_screen_request(request: Request, limit: int) -> ScreenRequest:
    kind = media_type(request)
    if kind not in ("application/json", "multipart/form-data"):
        raise UnsupportedMedia("send application/json or multipart/form-data")
    body = await read_body(request, limit)
    if kind == "multipart/form-data":
        return await parse_multipart(request, body, limit)
    return parse_json(ScreenBody, body).to_screen_request()
