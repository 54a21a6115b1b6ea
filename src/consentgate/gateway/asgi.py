"""The ASGI entry point that ``consentgate proxy`` hands to uvicorn.

The proxy command validates the settings and exports them
(``CONSENTGATE_GATEWAY_UPSTREAM``, ``_GATEWAY_ADAPTER``, ``_DATABASE_URL``);
the worker reads the same environment and builds its own services.
"""

from __future__ import annotations

from fastapi import FastAPI

from consentgate.errors import ConfigError
from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.proxy import create_proxy_app
from consentgate.service.wiring import Services
from consentgate.settings import load_settings


def proxy_from_env() -> FastAPI:
    settings = load_settings()
    if settings.gateway_upstream is None:
        raise ConfigError("set CONSENTGATE_GATEWAY_UPSTREAM (or --upstream) to the image API")
    adapter = default_adapters().get(settings.gateway_adapter)
    return create_proxy_app(lambda: Services.build(settings), adapter, settings.gateway_upstream)
