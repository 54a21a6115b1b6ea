"""``consentgate serve``: the HTTP API and the console on uvicorn, a worker per core by default.

Everything that can fail because of configuration fails here, before a port
is bound: settings are validated, the store is opened and migrated (once, in
this process, before any worker starts), the evidence key is checked against
the newest sealed item (a missing key is a WARNING line: evidence off) and the
engine is built and every model loaded. The workers then read the same
settings from the environment. So do the shared counters: a Redis that does
not answer, or several workers on an in-memory SQLite store (each would open
its own), stop ``serve`` here.

Workers: ``--workers`` or ``CONSENTGATE_WORKERS``, else one per usable core
(``os.sched_getaffinity``). One worker serves in this process; several are
forked from it after the models are loaded (``api.prefork``), so they start
with the models in memory, one copy shared by all.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import click
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from consentgate.api.access_log import log_config
from consentgate.api.prefork import STARTUP_FAILURE, Prefork
from consentgate.cases.evidence_status import check_evidence
from consentgate.cases.wiring import build_cases
from consentgate.cli.context import app_context
from consentgate.counters.choose import check_counters
from consentgate.errors import ConfigError
from consentgate.service.wiring import check_engine, prepare_store
from consentgate.settings import Settings, load_settings

APP = "consentgate.api.asgi:app_from_env"
FORKED_APP = "consentgate.api.asgi:forked_worker_app"  # loads before it accepts (prefork)
GRACE_S = 10  # seconds a stopping worker gives the requests in flight


def _settings(**options: object) -> Settings:
    overrides = {k: v for k, v in options.items() if v is not None}
    base = app_context().settings.model_dump(exclude_unset=True)
    return load_settings(**{**base, **overrides})


def _export(settings: Settings, workers: int) -> None:
    """Hand the workers the validated settings via the environment (the worker count
    resolved, so that each worker chooses the counters that several workers share)."""
    for name in ("database_url", "host", "port"):
        os.environ[f"CONSENTGATE_{name.upper()}"] = str(getattr(settings, name))
    os.environ["CONSENTGATE_WORKERS"] = str(workers)


def _metrics_dir(workers: int) -> str | None:
    """A fresh directory where every worker writes its samples; None for one worker."""
    if workers < 2:
        return None
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="cg-metrics-")
    shutil.rmtree(path, ignore_errors=True)  # samples of a previous run would be summed in
    os.makedirs(path, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


@click.command()
@click.option("--host", help="Address to bind.  [default: 127.0.0.1]")
@click.option("--port", type=int, help="Port to bind.  [default: 8080]")
@click.option("--database-url", help="SQLAlchemy URL of the store (sqlite:/// or postgresql://).")
@click.option("--workers", type=int, help="Worker processes.  [default: one per usable core]")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log each request (tracking codes in paths are written as [redacted]).",
)
def serve(
    host: str | None,
    port: int | None,
    database_url: str | None,
    workers: int | None,
    log_level: str,
    access_log: bool,
) -> None:
    """Serve the HTTP API and the moderator console at /console (OpenAPI docs at /docs when
    CONSENTGATE_API_DOCS is on).

    Options override CONSENTGATE_HOST, _PORT, _DATABASE_URL and _WORKERS.
    """
    settings = _settings(host=host, port=port, database_url=database_url, workers=workers)
    try:
        db = prepare_store(settings)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the store: {type(exc).__name__}") from None
    try:
        warning = check_evidence(build_cases(db, settings).vault)
    finally:
        db.dispose()
    if warning is not None:
        click.echo(f"WARNING: {warning}", err=True)
    workers = settings.worker_count
    check_counters(settings, workers=workers)
    _export(settings, workers)
    metrics_dir = _metrics_dir(workers)  # before anything imports prometheus_client
    check_engine(settings, warm=True)  # every model loaded here, before the workers fork
    click.echo(
        f"ConsentGate serving on http://{settings.host}:{settings.port} "
        f"({workers} worker(s), store: {settings.database_url.split('://')[0]})",
        err=True,
    )
    config = uvicorn.Config(
        APP if workers == 1 else FORKED_APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=access_log,
        log_config=log_config(),  # the access log never shows a tracking code
        timeout_graceful_shutdown=GRACE_S,
        # X-Forwarded-For is read by ClientAddress, from CONSENTGATE_TRUSTED_PROXIES only
        # (uvicorn's default would trust it from loopback).
        proxy_headers=False,
        forwarded_allow_ips="",
        server_header=False,  # the software and its version are nobody's business
    )
    try:
        if workers == 1:
            server = uvicorn.Server(config)
            server.run()
            if not server.started:
                sys.exit(STARTUP_FAILURE)
            return
        supervisor = Prefork(config, workers, grace_s=GRACE_S)
        supervisor.run()
        if supervisor.failed:
            sys.exit(STARTUP_FAILURE)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
