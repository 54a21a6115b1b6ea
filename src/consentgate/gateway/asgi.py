"""The ASGI entry point that ``consentgate proxy`` hands to uvicorn.

The proxy command validates the settings and exports them
(``CONSENTGATE_GATEWAY_UPSTREAM``, ``_GATEWAY_ADAPTER``, ``_GATEWAY_ADAPTER_CONFIG``,
``_GATEWAY_ADAPTER_OPTIONS``, ``_DATABASE_URL``); the worker reads the same
environment and builds its own services.
"""

from __future__ import annotations

from fastapi import FastAPI

from consentgate.errors import ConfigError
from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import Adapter
from consentgate.gateway.proxy import create_proxy_app
from consentgate.service.wiring import Services
from consentgate.settings import Settings, load_settings


def proxied_adapter(settings: Settings) -> Adapter:
    """The configured adapter, or ConfigError when it is unknown, misconfigured or not proxiable."""
    adapter = default_adapters().build(
        settings.gateway_adapter,
        settings.gateway_adapter_config,
        settings.gateway_adapter_options,
    )
    if not adapter.routes:
        raise ConfigError(
            f"the {adapter.name} adapter serves no routes: it is for "
            "`consentgate assess --target self`, not for the gateway"
        )
    return adapter


def proxy_from_env() -> FastAPI:
    settings = load_settings()
    if settings.gateway_upstream is None:
        raise ConfigError("set CONSENTGATE_GATEWAY_UPSTREAM (or --upstream) to the image API")
    adapter = proxied_adapter(settings)
    return create_proxy_app(lambda: Services.build(settings), adapter, settings.gateway_upstream)
