"""The OpenAI Images API shape: generations (JSON) and edits (multipart), b64_json or url.

Requests: ``POST /images/generations`` with ``{"prompt", "n", "size",
"response_format"}``; ``POST /images/edits`` as multipart/form-data with one
or more ``image`` files (``image[]`` too), an optional ``mask`` and a
``prompt``. Answers: ``{"created", "data": [{"b64_json" | "url",
"revised_prompt"?}]}``. Errors: ``{"error": {"code", "message", "type",
"param"}}``, which is also how a refusal of ours is spelt, so an OpenAI
client raises its usual ``BadRequestError`` and needs no change.

Why an edit with two ``prompt`` fields, a ``prompt`` sent as a file, or a file
under a name the API does not define is refused rather than forwarded: the
gateway screens what it reads, and the upstream must not read anything else.
A parser that keeps the first of two prompts where we kept the last, or an
upstream that reads a file field we skipped, would generate from words or a
photo nobody screened. Answers that give a key twice are refused for the same
reason (docs/security.md, "JSON keys given twice").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncGenerator
from typing import Any

import httpx
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from consentgate.errors import BadInput, UnsupportedMedia
from consentgate.gateway.adapters.base import (
    Encoded,
    ImageRequest,
    Refusal,
    ReturnedImage,
    Route,
    UpstreamAnswerInvalid,
)
from consentgate.gateway.adapters.http import HttpAdapter
from consentgate.jsonkeys import DuplicateKey, loads_unique, refuse_duplicate_keys
from consentgate.records import Mode

GENERATIONS = Route("POST", "/images/generations", Mode.GENERATE)
EDITS = Route("POST", "/images/edits", Mode.EDIT)
IMAGE_FIELDS = ("image", "image[]")
FILE_FIELDS = (*IMAGE_FIELDS, "mask")
REFUSAL_CODES = ("content_policy_violation", "moderation_blocked", "content_policy_review")
MAX_PARTS = 24  # 16 source images, a mask and the text fields


async def _single(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


def _prompt(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput("prompt must be a string", field="prompt")
    return value


class OpenAIImagesAdapter(HttpAdapter):
    name = "openai-images"
    routes: tuple[Route, ...] = (GENERATIONS, EDITS)

    async def parse_request(self, route: Route, content_type: str, body: bytes) -> ImageRequest:
        kind = content_type.split(";", 1)[0].strip().lower()
        if route == GENERATIONS:
            if kind != "application/json":
                raise UnsupportedMedia("send application/json")
            return ImageRequest(Mode.GENERATE, _prompt(self._json(body).get("prompt")))
        if kind != "multipart/form-data":
            raise UnsupportedMedia("send multipart/form-data")
        return await self._edit(content_type, body)

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            refuse_duplicate_keys(body)
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise BadInput("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadInput("the body must be a JSON object")
        return data

    async def _edit(self, content_type: str, body: bytes) -> ImageRequest:
        headers = Headers({"content-type": content_type})
        parser = MultiPartParser(
            headers,
            _single(body),
            max_files=MAX_PARTS,
            max_fields=MAX_PARTS,
            max_part_size=len(body) + 1,
        )
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise BadInput(f"malformed multipart body: {exc.message}") from None
        sources: list[bytes] = []
        mask: bytes | None = None
        prompts: list[str] = []
        try:
            for name, value in form.multi_items():
                if not isinstance(value, UploadFile):
                    if name == "prompt":
                        prompts.append(value)
                    continue
                if name not in FILE_FIELDS:
                    raise BadInput(f"{name} is not a file field of this API", field=name)
                data = await value.read()
                if name == "mask":
                    if mask is not None:
                        raise DuplicateKey("mask")
                    mask = data or None
                elif data:
                    sources.append(data)
        finally:
            await form.close()
        if len(prompts) > 1:
            raise DuplicateKey("prompt")
        prompt = prompts[0] if prompts else None
        if not sources:
            raise BadInput("an edit needs at least one image file", field="image")
        return ImageRequest(Mode.EDIT, prompt, tuple(sources), mask)

    def encode(self, request: ImageRequest) -> Encoded:
        if request.mode is Mode.GENERATE:
            body = json.dumps(
                {"prompt": request.prompt or "", "n": 1, "response_format": "b64_json"}
            )
            return Encoded(GENERATIONS, "application/json", body.encode())
        files = [("image[]", (f"image{i}.png", data)) for i, data in enumerate(request.sources)]
        if request.mask is not None:
            files.append(("mask", ("mask.png", request.mask)))
        built = httpx.Request(
            "POST",
            "http://upstream.invalid/",
            data={"prompt": request.prompt or "", "response_format": "b64_json"},
            files=files,
        )
        return Encoded(EDITS, built.headers["content-type"], built.read())

    def parse_answer(self, body: bytes) -> tuple[ReturnedImage, ...]:
        try:
            items = loads_unique(body)["data"]
            if not isinstance(items, list):
                raise TypeError
            return tuple(self._image(item) for item in items)
        except DuplicateKey as exc:
            raise UpstreamAnswerInvalid(f"the upstream's answer {exc.message}") from None
        except (ValueError, TypeError, KeyError, RecursionError, binascii.Error):
            raise UpstreamAnswerInvalid("the upstream's answer is not an images answer") from None

    @staticmethod
    def _image(item: Any) -> ReturnedImage:
        if isinstance(item.get("b64_json"), str):
            return ReturnedImage(data=base64.b64decode(item["b64_json"], validate=True))
        if isinstance(item.get("url"), str):
            return ReturnedImage(url=item["url"])
        raise KeyError("b64_json")

    def refusal(self, code: str, message: str, decision_id: str) -> tuple[int, dict[str, object]]:
        error = {
            "code": code,
            "message": message,
            "type": "invalid_request_error",
            "param": None,
            "decision_id": decision_id,
        }
        return 400, {"error": error}

    def read_refusal(self, status: int, body: bytes) -> Refusal | None:
        if status != 400:
            return None
        try:
            error = json.loads(body)["error"]
            code = error["code"]
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        if code not in REFUSAL_CODES:
            return None
        message, decision_id = error.get("message"), error.get("decision_id")
        return Refusal(
            code=code,
            message=message if isinstance(message, str) else None,
            decision_id=decision_id if isinstance(decision_id, str) else None,
        )
