"""The ASGI entry point that ``consentgate serve`` hands to uvicorn's workers.

Each worker reads the same ``CONSENTGATE_*`` settings (the serve command
exports them before the workers start) and builds its own services. Run
under uvicorn by hand, pass ``--no-server-header`` as ``serve`` does: the
``server`` header names the software to every caller.
"""

from __future__ import annotations

from fastapi import FastAPI

from consentgate.api.app import create_app
from consentgate.service.wiring import Services
from consentgate.settings import load_settings


def app_from_env() -> FastAPI:
    settings = load_settings()
    return create_app(
        lambda: Services.build(settings),
        max_body_size=settings.max_request_bytes,
        api_docs=settings.api_docs,
    )
