"""One worker's runtime: loads the services (models, store, indexes) and knows if it is ready.

Loading runs in a background thread by default so that ``/healthz`` answers at
once and ``/readyz`` (and every ``/v1`` route) answers 503 until the models and
indexes are loaded. A load that fails leaves the worker alive but never ready,
with the reason logged, so an orchestrator's readiness probe keeps traffic away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import Request

from consentgate.api.auth import Gate
from consentgate.api.limiters import Limits
from consentgate.api.limits import route_limit
from consentgate.api.metrics import Metrics
from consentgate.errors import ConsentGateError, NotReady
from consentgate.service.wiring import Services
from consentgate.store.probe import WriteProbe

log = logging.getLogger(__name__)

Loader = Callable[[], Services]


class Runtime:
    """Holds the loaded services, the key gate and the metrics of one worker."""

    def __init__(self, load: Loader, metrics: Metrics | None = None) -> None:
        self._load = load
        self.metrics = metrics or Metrics()
        self.services: Services | None = None
        self.gate: Gate | None = None
        self.limits: Limits | None = None
        self.probe: WriteProbe | None = None
        self.failure: str | None = None
        self.loaded = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, *, background: bool = True) -> None:
        if background:
            self._thread = threading.Thread(target=self.load, name="load-services", daemon=True)
            self._thread.start()
        else:
            self.load()

    def load(self) -> None:
        try:
            services = self._load()
        except ConsentGateError as exc:
            self.failure = exc.message
            log.error("the service cannot start: %s", exc.message)
        except Exception as exc:
            self.failure = f"start-up failed ({type(exc).__name__})"
            log.exception("the service cannot start")
        else:
            services.banks.matcher.on_refreshed = self.metrics.bank_refreshed
            services.banks.notices.on_failure = self.metrics.bank_notice_failed
            if services.engine.cache is not None:
                services.engine.cache.observe = self.metrics.cache_lookup
            self.limits = Limits.build(services, on_outage=self.metrics.counter_outage)
            self.gate = self.limits.gate(services)
            self.probe = WriteProbe(services.db, services.settings.ready_probe_s)
            self.services = services
        finally:
            self.loaded.set()

    def ready_services(self) -> Services:
        if self.services is None:
            if self.failure is not None:
                raise NotReady("the service failed to start; see the server log")
            raise NotReady("the service is loading its models and indexes")
        return self.services

    def ready_limits(self) -> Limits:
        self.ready_services()
        assert self.limits is not None
        return self.limits

    def ready_gate(self) -> Gate:
        self.ready_services()
        assert self.gate is not None
        return self.gate

    def ready_probe(self) -> WriteProbe:
        self.ready_services()
        assert self.probe is not None
        return self.probe

    def body_limit(self, method: str, path: str) -> int:
        """The largest body the route ``method path`` accepts under this worker's settings."""
        return route_limit(method, path, self.ready_services().settings)

    def close(self) -> None:
        if self.limits is not None:
            self.limits.buckets.close()
        if self.services is not None:
            self.services.close()
            self.services = None


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def services_of(request: Request) -> Services:
    return runtime_of(request).ready_services()
