"""Liveness, readiness and metrics: what load balancers and Prometheus ask."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from consentgate.api.deps import key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import runtime_of
from consentgate.api.schemas import Health, Readiness
from consentgate.cases.evidence_status import evidence_state
from consentgate.errors import NotReady, StoreUnavailable
from consentgate.service.keys import ApiKey, Scope
from consentgate.service.wiring import Services
from consentgate.store.faults import store_fault
from consentgate.store.probe import WriteProbe

router = APIRouter(tags=["operations"], route_class=StrictJsonRoute)


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """The process is up (no key needed). It may still be loading: see `/readyz`."""
    return Health()


def _ping(services: Services, probe: WriteProbe) -> None:
    """The store answers a read now, and took a write recently (``WriteProbe``)."""
    try:
        with services.db.read() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise store_fault(exc) or NotReady("the store is not reachable") from None
    fault = probe.check()
    if fault is not None:  # a fresh error each time: the probe keeps its last result
        raise StoreUnavailable(fault.message, retry_after_s=fault.retry_after_s)


@router.get(
    "/readyz", response_model=Readiness, summary="Readiness", responses=problem_responses(503)
)
async def readyz(request: Request) -> Readiness:
    """200 once models and indexes are loaded and the store takes reads and writes; else 503.

    No key needed. A 503 says why (loading, the store unreachable, full,
    read-only or locked) and, for the store, when to ask again (Retry-After).

    Also says which detectors the operator turned off and which protections
    that leaves without a detector (requests touching them go to review), and
    whether child-safety evidence is kept (`evidence: off` without a key).
    """
    runtime = runtime_of(request)
    services = runtime.ready_services()
    await run_in_threadpool(_ping, services, runtime.ready_probe())
    engine = services.engine
    return Readiness(
        evidence=evidence_state(services.automated.vault),
        detectors=engine.registry.names(),
        policy=f"{engine.policy.id}@{engine.policy.version}",
        turned_off=dict(engine.registry.turned_off),
        protections_off=[
            f"{gap.target.value}: {gap.protection}" for gap in engine.protections_off()
        ],
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
        **problem_responses(401, 403, 429, 503),
    },
)
async def metrics(
    request: Request,
    _key: ApiKey = Depends(key_with(Scope.REPORT)),  # noqa: B008
) -> Response:
    """Requests, latencies, verdicts by rule and detector failures (a `report` key)."""
    body, content_type = runtime_of(request).metrics.render()
    return Response(body, media_type=content_type)
