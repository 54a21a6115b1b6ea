"""The gateway in process, in front of a fake upstream mounted as an ASGI transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import Adapter
from consentgate.gateway.proxy import create_proxy_app
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.gateway.fakes import GENERIC_CONFIG, FakeUpstream, gateway_engine


@dataclass
class Proxied:
    client: TestClient
    upstream: FakeUpstream
    services: Services


@contextmanager
def proxied(
    database_url: str,
    behaviour: str = "compliant",
    *,
    flag_outputs: bool = False,
    shape: str = "openai",
    **settings: object,
) -> Iterator[Proxied]:
    config = Settings(database_url=database_url, **settings)  # type: ignore[arg-type]
    upstream = FakeUpstream(behaviour, shape)
    app = create_proxy_app(
        lambda: Services.build(config, engine_factory=gateway_engine(flag_outputs=flag_outputs)),
        adapter_for(shape),
        "http://upstream.test/v1",
        transport=httpx.ASGITransport(app=upstream.app()),
    )
    with TestClient(app) as client:
        yield Proxied(client, upstream, app.state.gateway.services)


def adapter_for(shape: str) -> Adapter:
    """The openai-images adapter, or generic-json configured for the ``generic`` fake."""
    if shape == "generic":
        return default_adapters().build("generic-json", options=GENERIC_CONFIG)
    return default_adapters().get("openai-images")


@pytest.fixture
def gateway(sqlite_url: str) -> Callable[..., object]:
    """``gateway(behaviour, flag_outputs=..., shape=..., **settings)``: a context manager
    on SQLite."""
    return lambda *args, **kwargs: proxied(sqlite_url, *args, **kwargs)
