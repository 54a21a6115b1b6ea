"""The gateway in process, in front of a fake upstream: mounted as an ASGI transport
(httpx, no socket) or served on a loopback port (the aiohttp client production uses)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import Adapter
from consentgate.gateway.proxy import create_proxy_app
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.server import free_port
from tests.gateway.fakes import GENERIC_CONFIG, FakeUpstream, gateway_engine


@dataclass
class Proxied:
    client: TestClient
    upstream: FakeUpstream
    services: Services


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a loopback port, in a thread, for as long as the block runs."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="error", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the fake did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def proxied(
    database_url: str,
    behaviour: str = "compliant",
    *,
    flag_outputs: bool = False,
    shape: str = "openai",
    network: bool = False,
    **settings: object,
) -> Iterator[Proxied]:
    """``network``: the fake upstream on a port, called as in production (aiohttp)."""
    config = Settings(database_url=database_url, **settings)  # type: ignore[arg-type]
    upstream = FakeUpstream(behaviour, shape)
    with serving(upstream.app()) if network else _nothing() as url:
        app = create_proxy_app(
            lambda: Services.build(
                config, engine_factory=gateway_engine(flag_outputs=flag_outputs)
            ),
            adapter_for(shape),
            (url or "http://upstream.test") + "/v1",
            transport=None if network else httpx.ASGITransport(app=upstream.app()),
        )
        with TestClient(app) as client:
            yield Proxied(client, upstream, app.state.gateway.services)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def adapter_for(shape: str) -> Adapter:
    """The openai-images adapter, or generic-json configured for the ``generic`` fake."""
    if shape == "generic":
        return default_adapters().build("generic-json", options=GENERIC_CONFIG)
    return default_adapters().get("openai-images")


@pytest.fixture
def gateway(sqlite_url: str) -> Callable[..., object]:
    """``gateway(behaviour, flag_outputs=..., shape=..., network=..., **settings)``: a
    context manager on SQLite."""
    return lambda *args, **kwargs: proxied(sqlite_url, *args, **kwargs)
