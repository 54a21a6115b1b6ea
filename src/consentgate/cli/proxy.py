"""``consentgate proxy``: the drop-in gateway in front of an image API, on uvicorn.

As ``serve``, everything that can fail on configuration fails before a port is
bound: the upstream URL and the adapter name are validated, the store is
opened and migrated, the engine is built once. The gateway has no key of its
own (clients send the upstream's key, which passes through), so it binds
loopback unless told otherwise: put it on a private interface or behind the
platform's authentication.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from consentgate.api.access_log import log_config
from consentgate.cli.adapter_options import adapter_options
from consentgate.cli.context import app_context
from consentgate.errors import ConfigError
from consentgate.gateway.asgi import proxied_adapter
from consentgate.service.wiring import check_engine, prepare_store
from consentgate.settings import load_settings

APP = "consentgate.gateway.asgi:proxy_from_env"


@click.command()
@click.option("--upstream", help="Base URL of the image API, e.g. https://api.openai.com/v1.")
@adapter_options("the upstream's")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=8090, show_default=True, help="Port to bind.")
@click.option("--database-url", help="SQLAlchemy URL of the store (sqlite:/// or postgresql://).")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def proxy(
    upstream: str | None,
    adapter: str | None,
    adapter_config: Path | None,
    adapter_options: dict[str, str],
    host: str,
    port: int,
    database_url: str | None,
    log_level: str,
) -> None:
    """Screen an image API's requests and outputs in front of it (see docs/gateway.md).

    Clients call the adapter's routes under /v1 here exactly as they call the
    upstream. Options override CONSENTGATE_GATEWAY_UPSTREAM, _GATEWAY_ADAPTER,
    _GATEWAY_ADAPTER_CONFIG, _GATEWAY_ADAPTER_OPTIONS and _DATABASE_URL.
    """
    given = {
        "gateway_upstream": upstream,
        "gateway_adapter": adapter,
        "gateway_adapter_config": adapter_config,
        "gateway_adapter_options": adapter_options or None,
        "database_url": database_url,
    }
    base = app_context().settings.model_dump(exclude_unset=True)
    settings = load_settings(**{**base, **{k: v for k, v in given.items() if v is not None}})
    if settings.gateway_upstream is None:
        raise ConfigError("give --upstream (or CONSENTGATE_GATEWAY_UPSTREAM)")
    chosen = proxied_adapter(settings)
    try:
        prepare_store(settings).dispose()
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the store: {type(exc).__name__}") from None
    check_engine(settings)
    for name in ("gateway_upstream", "gateway_adapter", "database_url"):
        os.environ[f"CONSENTGATE_{name.upper()}"] = str(getattr(settings, name))
    if settings.gateway_adapter_config is not None:
        config = str(settings.gateway_adapter_config.resolve())
        os.environ["CONSENTGATE_GATEWAY_ADAPTER_CONFIG"] = config
    os.environ["CONSENTGATE_GATEWAY_ADAPTER_OPTIONS"] = json.dumps(settings.gateway_adapter_options)
    paths = ", ".join("/v1" + route.path for route in chosen.routes)
    click.echo(
        f"ConsentGate gateway on http://{host}:{port} ({paths}) in front of "
        f"{settings.gateway_upstream} ({settings.gateway_adapter})",
        err=True,
    )
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=True,
        log_config=log_config(redact_queries=True),
        timeout_graceful_shutdown=10,
        proxy_headers=False,
        forwarded_allow_ips="",
        server_header=False,
    )
