"""Fake upstream image APIs and a fake output detector: nothing real, nothing sexual.

The compliant upstream answers every request with a drawn landscape (sky,
hills, sun), as ``b64_json`` or as a ``url`` it serves itself; the refusing
one answers OpenAI's own 400 ``content_policy_violation``; the failing one
500; the hanging one sleeps past any test's timeout. Each speaks one of two
shapes: ``openai`` (the OpenAI Images API) or ``generic`` (a made-up JSON API
that the generic-json adapter reads through ``GENERIC_CONFIG``). The harmful
side of an output is simulated by ``OutputNudityFake``, which flags every
output image when told to, never by a real image.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import time
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from PIL import Image, ImageDraw

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.hash_match import HashMatchDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import Signal, Target
from consentgate.settings import Settings
from tests.api.fakes import BrokenFake, PersonFake, WordsFake
from tests.fakes import CoversAllFake
from tests.images.bombs import png_bomb

REFUSAL = {
    "error": {
        "code": "content_policy_violation",
        "message": "Your request was rejected by the upstream's safety system.",
        "type": "invalid_request_error",
        "param": None,
    }
}


GENERIC_REFUSAL = {"status": "refused", "reason": {"code": "SAFETY", "text": "not allowed"}}
GENERIC_CONFIG: dict[str, Any] = {
    "generate_path": "/generate",
    "edit_path": "/edit",
    "request_prompt": "input.text",
    "request_images": "input.photos",
    "request_mask": "",
    "request_extra": {"format": "b64"},
    "answer_images": "result.images",
    "answer_b64": "png",
    "answer_url": "href",
    "refusal_status": [403],
    "refusal_code": "reason.code",
    "refusal_codes": ["SAFETY"],
    "refusal_message": "reason.text",
    "error_status": 403,
    "error_body": {
        "status": "refused",
        "reason": {"code": "{code}", "text": "{message}", "decision": "{decision_id}"},
    },
}
"""How the generic-json adapter reads the ``generic`` fake (as a YAML file would say)."""


def landscape(width: int = 96, height: int = 64) -> bytes:
    """A benign drawn landscape (sky, two hills, a sun), as PNG bytes."""
    img = Image.new("RGB", (width, height), (120, 180, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 6, 80, 26), fill=(250, 220, 80))
    draw.polygon([(0, 64), (30, 30), (60, 64)], fill=(70, 140, 70))
    draw.polygon([(40, 64), (75, 36), (96, 64)], fill=(50, 120, 60))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@dataclass
class FakeUpstream:
    """One fake image API; ``behaviour`` is compliant, refusing, failing, hanging or HOSTILE's."""

    behaviour: str = "compliant"
    shape: str = "openai"
    calls: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    file_calls: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()
        generic = self.shape == "generic"

        async def images(request: Request) -> Response:
            body = await request.body()
            self.calls.append(dict(request.headers))
            self.bodies.append(body)
            if self.behaviour == "refusing":
                if generic:
                    return JSONResponse(GENERIC_REFUSAL, status_code=403)
                return JSONResponse(REFUSAL, status_code=400)
            if self.behaviour == "failing":
                return JSONResponse({"error": {"message": "internal"}}, status_code=500)
            if self.behaviour == "hanging":
                await asyncio.sleep(30)
            hostile = HOSTILE.get(self.behaviour)
            if hostile is not None:
                return hostile()
            as_url = b'"url"' in body or b"\r\n\r\nurl\r\n" in body
            url = str(request.base_url) + "files/landscape.png"
            picture = base64.b64encode(landscape()).decode()
            if generic:
                item = {"href": url} if as_url else {"png": picture}
                return JSONResponse({"result": {"images": [item]}})
            item = {"url": url} if as_url else {"b64_json": picture}
            return JSONResponse({"created": int(time.time()), "data": [item]})

        async def file(request: Request) -> Response:
            self.file_calls.append(dict(request.headers))
            return Response(landscape(), media_type="image/png")

        paths = ("/v1/generate", "/v1/edit") if generic else GENERATIONS_AND_EDITS
        for path in paths:
            app.add_api_route(path, images, methods=["POST"])
        app.add_api_route("/files/landscape.png", file, methods=["GET"])
        return app


GENERATIONS_AND_EDITS = ("/v1/images/generations", "/v1/images/edits")


async def _drip() -> AsyncIterator[bytes]:
    for _ in range(50):
        await asyncio.sleep(0.1)
        yield b" "


def _compressed(encoding: str) -> Response:
    inner = b'{"data": [{"b64_json": "' + b"A" * 4_000_000 + b'"}]}'
    packed = gzip.compress(inner) if encoding == "gzip" else zlib.compress(inner)
    return Response(packed, media_type="application/json", headers={"content-encoding": encoding})


HOSTILE: dict[str, Callable[[], Response]] = {
    # A 200 whose body is far over any test's limit.
    "huge": lambda: JSONResponse({"data": [{"b64_json": "A" * 4_000_000}]}),
    # A 200 that is not an images answer.
    "garbage": lambda: Response(b"<html>oops</html>", media_type="text/html"),
    # An image that is not an image (undecodable bytes).
    "not_an_image": lambda: JSONResponse(
        {"data": [{"b64_json": base64.b64encode(b"x" * 64).decode()}]}
    ),
    # An output image URL with a scheme nobody should fetch.
    "file_url": lambda: JSONResponse({"data": [{"url": "file:///etc/passwd"}]}),
    # An output that is a decompression bomb (a few kilobytes declaring 144 megapixels).
    "bomb": lambda: JSONResponse({"data": [{"b64_json": base64.b64encode(png_bomb()).decode()}]}),
    # An answer that gives its images twice: a client may read either list.
    "twice": lambda: Response(
        b'{"data": [{"b64_json": "%s"}], "data": []}' % base64.b64encode(landscape()),
        media_type="application/json",
    ),
    "generic_bomb": lambda: JSONResponse(
        {"result": {"images": [{"png": base64.b64encode(png_bomb()).decode()}]}}
    ),
    "generic_twice": lambda: Response(
        b'{"result": {"images": [{"png": "%s"}], "images": []}}' % base64.b64encode(landscape()),
        media_type="application/json",
    ),
    # A few kilobytes on the wire that decompress past any test's limit.
    "compressed_gzip": lambda: _compressed("gzip"),
    "compressed_deflate": lambda: _compressed("deflate"),
    # A redirect the gateway does not follow.
    "redirect": lambda: Response(status_code=302, headers={"location": "http://elsewhere/"}),
    # Bytes that keep coming, each well within any per-read timeout.
    "slow": lambda: StreamingResponse(_drip(), media_type="application/json"),
}


class OutputNudityFake(Detector):
    """Says every output image shows nudity when ``flag`` is on (a stand-in, no real image)."""

    name = "output_nudity_fake"
    version = "0-test"
    targets = frozenset({Target.OUTPUT_IMAGE})

    def __init__(self, flag: bool) -> None:
        self.flag = flag

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        return [self.signal("nudity", Target.OUTPUT_IMAGE, 0.95, 0.5)] if self.flag else []


def gateway_engine(
    *, flag_outputs: bool = False
) -> Callable[[Settings, DetectorContext], ScreeningEngine]:
    """The API tests' fake detectors, plus the output detector above."""

    def build(settings: Settings, context: DetectorContext) -> ScreeningEngine:
        detectors = [WordsFake(), PersonFake(), BrokenFake(), CoversAllFake()]
        registry = DetectorRegistry(
            [*detectors, HashMatchDetector.from_context(context), OutputNudityFake(flag_outputs)]
        )
        return ScreeningEngine(registry, load_policy(settings.policy_path), settings=settings)

    return build
