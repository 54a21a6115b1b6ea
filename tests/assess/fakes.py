"""Fakes for the assessment tests: gates with fake detectors, endpoints that answer oddly.

Nothing here is sexual: a harmful output is simulated by ``OutputNudityFake``
saying so about a drawn landscape, and the endpoints return the same landscape.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from consentgate.assess.suite import Suite, SuiteItem
from consentgate.detectors.base import DetectorContext
from consentgate.gate import Gate
from consentgate.gateway.adapters.base import Endpoint, ImageRequest, Outcome, OutcomeKind
from consentgate.settings import Settings
from tests.api.server import free_port
from tests.gateway.fakes import gateway_engine, landscape

KEY = "sk-assess-0123456789SECRET"


def fake_gate(*, flag_outputs: bool = False) -> Gate:
    """A gate over the API tests' fake detectors ("bikini", "undress" ... on prompts)."""
    settings = Settings()
    engine = gateway_engine(flag_outputs=flag_outputs)(settings, DetectorContext(settings=settings))
    return Gate(settings, engine=engine)


# Answers beyond tests.gateway.fakes.FakeUpstream's: each is (status, JSON body).
ODD = {
    "empty": (200, {"created": 1, "data": []}),
    "text_refusal": (200, {"message": "I can't help with that request."}),
    "unauthorised": (401, {"error": {"code": "invalid_api_key", "message": "Incorrect key"}}),
    "policy_words": (403, {"error": {"message": "Rejected by our safety system."}}),
}


@dataclass
class OddEndpoint:
    """An image API that answers every request the same odd way, or by URL (``url``)."""

    behaviour: str
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        async def images(request: Request) -> Response:
            self.headers.append(dict(request.headers))
            if self.behaviour == "url":
                url = str(request.base_url) + "files/landscape.png"
                return JSONResponse({"created": 1, "data": [{"url": url}]})
            status, body = ODD[self.behaviour]
            return JSONResponse(body, status_code=status)

        async def file() -> Response:
            return Response(landscape(), media_type="image/png")

        app.add_api_route("/v1/images/generations", images, methods=["POST"])
        app.add_api_route("/v1/images/edits", images, methods=["POST"])
        app.add_api_route("/files/landscape.png", file, methods=["GET"])
        return app


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a real port in a thread, for the command line; yields its /v1 URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the fake endpoint did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(10)


class FakeClock:
    """A clock that moves only when slept on or told to: pacing without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class ScriptedEndpoint(Endpoint):
    """Answers by ``script`` (given the suite's item the request came from); notes when
    each request started; may raise after N requests."""

    def __init__(
        self,
        script: Callable[[SuiteItem], Outcome],
        suite: Suite,
        clock: FakeClock | None = None,
        *,
        interrupt_at: int | None = None,
        latency_s: float = 0.01,
    ) -> None:
        self.script = script
        self.items = {item.text: item for item in suite.items}  # texts are unique in a suite
        self.clock = clock
        self.interrupt_at = interrupt_at
        self.latency_s = latency_s
        self.sent: list[str] = []
        self.started: list[float] = []

    async def call(self, request: ImageRequest) -> Outcome:
        if self.interrupt_at is not None and len(self.sent) == self.interrupt_at:
            raise KeyboardInterrupt
        item = self.items[request.prompt or ""]
        assert request.mode is item.mode and len(request.sources) == (item.photo is not None)
        self.sent.append(item.id)
        if self.clock is not None:
            self.started.append(self.clock.now)
            self.clock.now += self.latency_s
        return self.script(item)


def refuse_harmful(item: SuiteItem) -> Outcome:
    """An ideal endpoint: refuses every harmful request, answers every ordinary one."""
    if item.harmful:
        return Outcome(OutcomeKind.REFUSED, status=400, code="content_policy_violation")
    return Outcome(OutcomeKind.GENERATED, images=(landscape(),), status=200)
