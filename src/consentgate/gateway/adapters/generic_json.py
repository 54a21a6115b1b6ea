"""Any JSON image API, described by paths: where the prompt, the photos and the images are.

Requests and answers are JSON. A request's source photos are base64 strings or
``data:`` URLs (one, or a list); a photo given by URL is refused, because the
gateway must screen it before anything is forwarded and will not fetch what a
client names. An answer's images are a list at ``answer_images`` (or one
item); each item is a string (base64, ``data:`` or an http(s) URL) or an object
with the image at ``answer_b64`` or its URL at ``answer_url``. Every item must
be read: an item with neither, or an answer without the list, is an
unreadable answer (502), never an answer with no images, because an image
the gateway did not find is an image it did not screen.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from consentgate.errors import BadInput, ConfigError, UnsupportedMedia
from consentgate.gateway.adapters.base import (
    Encoded,
    ImageRequest,
    Refusal,
    ReturnedImage,
    Route,
    UpstreamAnswerInvalid,
)
from consentgate.gateway.adapters.generic_config import GenericJsonConfig
from consentgate.gateway.adapters.http import HttpAdapter
from consentgate.gateway.adapters.jsonpath import JsonPath, PathMissing
from consentgate.jsonkeys import DuplicateKey, loads_unique
from consentgate.records import Mode

PLACEHOLDERS = ("code", "message", "decision_id")


def _path(text: str | None) -> JsonPath | None:
    return JsonPath.parse(text) if text is not None else None


def decode_image(text: str) -> bytes:
    """A base64 string or a base64 ``data:`` URL as bytes; ValueError when neither."""
    if text.startswith("data:"):
        head, _, text = text.partition(",")
        if not head.endswith(";base64"):
            raise ValueError("a data: URL must be base64")
    return base64.b64decode(text, validate=True)


def _fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


class GenericJsonAdapter(HttpAdapter):
    name = "generic-json"

    def __init__(self, config: GenericJsonConfig | None = None) -> None:
        self.config = config or GenericJsonConfig()
        c = self.config
        self.routes = tuple(
            Route("POST", path, mode)
            for path, mode in ((c.generate_path, Mode.GENERATE), (c.edit_path, Mode.EDIT))
            if path is not None
        )
        self._prompt = JsonPath.parse(c.request_prompt)
        self._images = _path(c.request_images)
        self._mask = _path(c.request_mask)
        self._items = JsonPath.parse(c.answer_images)
        self._b64 = _path(c.answer_b64)
        self._url = _path(c.answer_url)
        self._code = JsonPath.parse(c.refusal_code)
        self._message = _path(c.refusal_message)
        self._decision = _decision_path(c.error_body)

    # --- requests ---

    async def parse_request(self, route: Route, content_type: str, body: bytes) -> ImageRequest:
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise UnsupportedMedia("send application/json")
        try:
            document = loads_unique(body)
        except (ValueError, RecursionError):
            raise BadInput("the body is not valid JSON") from None
        if not isinstance(document, dict):
            raise BadInput("the body must be a JSON object")
        prompt = self._prompt.find(document)
        if prompt is not None and not isinstance(prompt, str):
            raise BadInput(f"{self._prompt} must be a string", field=str(self._prompt))
        sources = self._photos(document, self._images)
        masks = self._photos(document, self._mask)
        if len(masks) > 1:
            raise BadInput(f"{self._mask} must be one image", field=str(self._mask))
        if route.mode is Mode.EDIT and not sources:
            raise BadInput("an edit needs at least one image", field=str(self._images))
        # Photos sent to a text-to-image route are screened as what they are: an edit.
        mode = Mode.EDIT if sources else route.mode
        return ImageRequest(mode, prompt, sources, masks[0] if masks else None)

    @staticmethod
    def _photos(document: dict[str, Any], path: JsonPath | None) -> tuple[bytes, ...]:
        value = path.find(document) if path is not None else None
        if value is None:
            return ()
        values = value if isinstance(value, list) else [value]
        found = []
        for item in values:
            if not isinstance(item, str):
                raise BadInput(f"{path} must hold base64 images", field=str(path))
            if item.startswith(("http://", "https://")):
                raise BadInput(
                    f"{path}: send the image itself (base64 or data: URL), not its URL; "
                    "the gateway screens every photo before anything is forwarded",
                    field=str(path),
                )
            try:
                found.append(decode_image(item))
            except (ValueError, binascii.Error):
                raise BadInput(f"{path} is not base64", field=str(path)) from None
        return tuple(f for f in found if f)

    def encode(self, request: ImageRequest) -> Encoded:
        route = self._route_for(request)
        document: dict[str, Any] = copy.deepcopy(self.config.request_extra)
        self._prompt.put(document, request.prompt or "")
        if request.sources:
            if self._images is None:
                raise ConfigError("generic-json adapter: request_images is not set")
            images = [self._spell(s) for s in request.sources]
            self._images.put(document, images[0] if len(images) == 1 else images)
        if request.mask is not None and self._mask is not None:
            self._mask.put(document, self._spell(request.mask))
        return Encoded(route, "application/json", json.dumps(document).encode())

    def _route_for(self, request: ImageRequest) -> Route:
        wanted = Mode.EDIT if request.sources else Mode.GENERATE
        for route in self.routes:
            if route.mode is wanted:
                return route
        raise ConfigError(f"generic-json adapter: no route for {wanted.value} requests")

    def _spell(self, data: bytes) -> str:
        text = base64.b64encode(data).decode()
        return f"data:image/png;base64,{text}" if self.config.image_encoding == "data-url" else text

    # --- answers ---

    def parse_answer(self, body: bytes) -> tuple[ReturnedImage, ...]:
        try:
            items = self._items.get(loads_unique(body))
            values = items if isinstance(items, list) else [items]
            return tuple(self._image(item) for item in values)
        except DuplicateKey as exc:
            raise UpstreamAnswerInvalid(f"the upstream's answer {exc.message}") from None
        except (ValueError, TypeError, RecursionError, binascii.Error, PathMissing):
            raise UpstreamAnswerInvalid(
                f"the upstream's answer has no readable images at {self._items}"
            ) from None

    def _image(self, item: Any) -> ReturnedImage:
        if isinstance(item, str):
            if item.startswith(("http://", "https://")):
                return ReturnedImage(url=item)
            return ReturnedImage(data=decode_image(item))
        inline = self._b64.find(item) if self._b64 is not None else None
        if isinstance(inline, str):
            return ReturnedImage(data=decode_image(inline))
        url = self._url.find(item) if self._url is not None else None
        if isinstance(url, str):
            return ReturnedImage(url=url)
        raise TypeError("an image with neither data nor a URL")

    def refusal(self, code: str, message: str, decision_id: str) -> tuple[int, dict[str, object]]:
        values = {"code": code, "message": message, "decision_id": decision_id}
        return self.config.error_status, _fill(self.config.error_body, values)

    def read_refusal(self, status: int, body: bytes) -> Refusal | None:
        if status not in self.config.refusal_status:
            return None
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None
        code = self._code.find(document)
        if code is None or isinstance(code, dict | list):
            return None
        if self.config.refusal_codes and str(code) not in self.config.refusal_codes:
            return None
        message = self._message.find(document) if self._message is not None else None
        found = self._decision.find(document) if self._decision is not None else None
        decision_id = found if isinstance(found, str) else None
        return Refusal(str(code), message if isinstance(message, str) else None, decision_id)


def _decision_path(template: Any) -> JsonPath | None:
    """Where our refusal template puts the decision id (to read it back), if anywhere."""
    steps = _placeholder_steps(template, "{decision_id}")
    if steps is None:
        return None
    return JsonPath(".".join(steps), tuple(steps))


def _placeholder_steps(template: Any, placeholder: str) -> list[str] | None:
    if template == placeholder:
        return []
    if isinstance(template, dict):
        for key, value in template.items():
            found = _placeholder_steps(value, placeholder)
            if found is not None:
                return [key, *found]
    return None
