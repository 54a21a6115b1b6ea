"""The ASGI entry points that ``consentgate serve`` hands to uvicorn's workers.

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


def app_from_env(*, background: bool = True) -> FastAPI:
    """The app of one worker; its services load in the background (``/healthz`` answers
    at once, ``/readyz`` and ``/v1`` answer 503 until they are loaded)."""
    settings = load_settings()
    return create_app(
        lambda: Services.build(settings),
        background=background,
        max_body_size=settings.max_request_bytes,
        api_docs=settings.api_docs,
    )


def forked_worker_app() -> FastAPI:
    """The app of one of several workers forked by ``serve``: its services load before it
    accepts its first connection (uvicorn serves only after the app's start-up).

    Why: the workers share one listening socket, and a connection goes to whichever
    worker accepts it; a worker still loading would answer it 503 while another, ready,
    could have served it. Forked with the models already loaded, a worker loads in well
    under a second (its store connections and hash index), and until one is ready the
    connections wait in the socket's queue instead of being refused."""
    return app_from_env(background=False)
