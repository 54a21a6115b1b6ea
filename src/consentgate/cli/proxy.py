"""``consentgate proxy``: the drop-in gateway in front of an image API, on uvicorn.

As ``serve``, everything that can fail on configuration fails before a port is
bound: the upstream URL and the adapter name are validated, the store is
opened and migrated, the engine is built once. The gateway has no key of its
own (clients send the upstream's key, which passes through), so it binds
loopback unless told otherwise: put it on a private interface or behind the
platform's authentication.
"""

from __future__ import annotations

import os

import click
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from consentgate.api.access_log import log_config
from consentgate.cli.context import app_context
from consentgate.errors import ConfigError
from consentgate.gateway.adapters import default_adapters
from consentgate.service.wiring import check_engine, prepare_store
from consentgate.settings import load_settings

APP = "consentgate.gateway.asgi:proxy_from_env"


@click.command()
@click.option("--upstream", help="Base URL of the image API, e.g. https://api.openai.com/v1.")
@click.option(
    "--adapter",
    type=click.Choice(default_adapters().names()),
    help="How the upstream's API is spelt.  [default: openai-images]",
)
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
    host: str,
    port: int,
    database_url: str | None,
    log_level: str,
) -> None:
    """Screen an image API's requests and outputs in front of it (see docs/gateway.md).

    Clients call /v1/images/... here exactly as they call the upstream. Options
    override CONSENTGATE_GATEWAY_UPSTREAM, _GATEWAY_ADAPTER and _DATABASE_URL.
    """
    given = {"gateway_upstream": upstream, "gateway_adapter": adapter, "database_url": database_url}
    base = app_context().settings.model_dump(exclude_unset=True)
    settings = load_settings(**{**base, **{k: v for k, v in given.items() if v is not None}})
    if settings.gateway_upstream is None:
        raise ConfigError("give --upstream (or CONSENTGATE_GATEWAY_UPSTREAM)")
    default_adapters().get(settings.gateway_adapter)
    try:
        prepare_store(settings).dispose()
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the store: {type(exc).__name__}") from None
    check_engine(settings)
    for name in ("gateway_upstream", "gateway_adapter", "database_url"):
        os.environ[f"CONSENTGATE_{name.upper()}"] = str(getattr(settings, name))
    click.echo(
        f"ConsentGate gateway on http://{host}:{port}/v1 in front of "
        f"{settings.gateway_upstream} ({settings.gateway_adapter})",
        err=True,
    )
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        log_config=log_config(),
        timeout_graceful_shutdown=10,
        proxy_headers=False,
        forwarded_allow_ips="",
        server_header=False,
    )
