"""What the assessment measures: an image endpoint through a gateway adapter, or our own gate.

Why the assessment has no client of its own: a gateway adapter already knows
how its API spells a request, an answer and a refusal, and ``connect`` gives a
measuring client (an ``Endpoint``) bounded as the gateway is: every answer
read within the size limits and the whole exchange within the timeout, so a
hanging endpoint costs one timeout per request, not a stuck run. The
endpoint's key goes in a header and nowhere else: not into the report, the
state file or a log line.

``--target self`` is the ``self`` adapter: ConsentGate's gate answering as the
gateway would in front of a generator that complies with everything (see
consentgate.gateway.adapters.self_gate). It answers with the assessment's own
gate, so the engine is built once for the endpoint and the output screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from consentgate.errors import BadInput, ConfigError
from consentgate.gate import Gate
from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import Connection, Endpoint
from consentgate.settings import Settings

__all__ = ["DEFAULT_ADAPTER", "SELF", "Target", "TargetSpec", "select_target"]

DEFAULT_ADAPTER = "openai-images"
SELF = "self"


@dataclass(frozen=True)
class TargetSpec:
    """What the command line asked to measure."""

    target: str | None = None  # "self", or None for --endpoint
    endpoint: str | None = None
    adapter: str | None = None  # None: openai-images (or self, with --target self)
    adapter_config: Path | None = None
    adapter_options: Mapping[str, str] = field(default_factory=dict)
    api_key: str | None = None
    timeout_s: float = 60.0


@dataclass(frozen=True)
class Target:
    """An endpoint to send the suite to, and how the report names it."""

    endpoint: Endpoint
    description: str  # for the report: never a key, never a query string


def _endpoint_url(value: str | None) -> str:
    if value is None:
        raise BadInput("give --endpoint URL or --target self")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput("--endpoint must be an http:// or https:// URL with a host")
    return value.strip().rstrip("/")


def _describe(url: str, adapter: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path} ({adapter})"


def _adapter_and_url(spec: TargetSpec) -> tuple[str, str | None]:
    if spec.target is None:
        return spec.adapter or DEFAULT_ADAPTER, _endpoint_url(spec.endpoint)
    if spec.target != SELF:
        raise BadInput(f"unknown target {spec.target!r} (known: self)")
    if spec.endpoint is not None:
        raise BadInput("--target self measures the gate in process: leave out --endpoint")
    if spec.adapter not in (None, SELF):
        raise BadInput("--target self is the self adapter: leave out --adapter")
    return SELF, None


def select_target(
    spec: TargetSpec,
    *,
    gate: Gate,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Target:
    """The endpoint ``spec`` names; ``self`` answers with ``gate``.

    ``transport`` replaces the network in tests (an ASGI app, called with
    httpx; without one the endpoint is called with aiohttp, as the gateway calls
    its upstream).
    """
    name, url = _adapter_and_url(spec)
    headers = {"authorization": f"Bearer {spec.api_key}"} if spec.api_key else {}
    connection = Connection(
        base_url=url,
        headers=headers,
        settings=settings.model_copy(update={"gateway_timeout_s": spec.timeout_s}),
        transport=transport,
        gate=gate,
    )
    try:
        adapter = default_adapters().build(name, spec.adapter_config, spec.adapter_options)
        endpoint = adapter.connect(connection)
    except ConfigError as exc:
        raise BadInput(exc.message) from None
    if url is None:
        return Target(endpoint, "self (ConsentGate's gate, in process)")
    return Target(endpoint, _describe(url, adapter.name))
