"""Prometheus metrics: requests, latencies, verdicts by rule, detector failures, bank freshness,
decision-cache hits.

Each app gets its own registry (tests stay independent). With several worker
processes ``consentgate serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the
workers start; every worker then writes its samples there and ``/metrics``
aggregates all of them, whichever worker answers the scrape.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentgate.records import Decision

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's metric families, registered on one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "consentgate_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "consentgate_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.decisions = Counter(
            "consentgate_decisions", "Decisions by verdict", ["verdict"], registry=r
        )
        self.rules = Counter(
            "consentgate_rule_verdicts",
            "Policy rules that fired, by rule id and verdict",
            ["rule", "verdict"],
            registry=r,
        )
        self.detector_failures = Counter(
            "consentgate_detector_failures",
            "Detectors that raised or ran out of time",
            ["detector", "kind"],
            registry=r,
        )
        self.detector_latency = Histogram(
            "consentgate_detector_duration_seconds",
            "Time each detector took",
            ["detector"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

        self.counters_unavailable = Counter(
            "consentgate_counters_unavailable",
            "Limit checks made while the shared counters were unreachable, by limit and "
            "outcome (passed: failed open; refused: 503)",
            ["limit", "outcome"],
            registry=r,
        )

        self.bank_refreshes = Counter(
            "consentgate_bank_refreshes",
            "Catch-ups of a worker's hash index that applied bank changes, by what started "
            "them (write: this worker's own change; notice: a change notice; poll: the timer)",
            ["trigger"],
            registry=r,
        )
        self.bank_refresh_lag = Histogram(
            "consentgate_bank_refresh_lag_seconds",
            "From a bank change being logged to a worker matching by it, by trigger",
            ["trigger"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.bank_last_lag = Gauge(
            "consentgate_bank_last_refresh_lag_seconds",
            "The lag of each worker's last catch-up that applied a bank change",
            multiprocess_mode="liveall",  # one series per worker process (label pid)
            registry=r,
        )
        self.bank_notice_failures = Counter(
            "consentgate_bank_notice_failures",
            "Bank change notices that could not be sent or heard (the poll covers them)",
            ["stage"],
            registry=r,
        )
        self.decision_cache = Counter(
            "consentgate_decision_cache_lookups",
            "Lookups of prompt-only decisions in the worker's decision cache, by result "
            "(hit: answered from the cache; miss: screened); hit rate = hit / (hit + miss)",
            ["result"],
            registry=r,
        )

    def bank_refreshed(self, trigger: str, applied: int, lag_s: float) -> None:
        self.bank_refreshes.labels(trigger).inc()
        self.bank_refresh_lag.labels(trigger).observe(lag_s)
        self.bank_last_lag.set(lag_s)

    def bank_notice_failed(self, stage: str) -> None:
        self.bank_notice_failures.labels(stage).inc()

    def cache_lookup(self, hit: bool) -> None:
        self.decision_cache.labels("hit" if hit else "miss").inc()

    def counter_outage(self, limit: str, passed: bool) -> None:
        self.counters_unavailable.labels(limit, "passed" if passed else "refused").inc()

    def observe_decision(self, decision: Decision) -> None:
        self.decisions.labels(decision.decision.value).inc()
        for reason in decision.reasons:
            self.rules.labels(reason.rule, reason.verdict.value).inc()
        for failure in decision.failures:
            self.detector_failures.labels(failure.detector, failure.kind.value).inc()
        for timing in decision.timings:
            self.detector_latency.labels(timing.detector).observe(timing.ms / 1000)

    def render(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts and times every request by its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
