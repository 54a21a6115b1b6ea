"""The console's router: log-in, the users page, every page in ``pages.PAGES``, static files.

``console_router`` is mounted by ``consentgate.api.app``; ``services`` returns
the worker's services (and raises NotReady, a 503 page, while they load).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from consentgate.console import account, login, users_page
from consentgate.console.pages import PAGES
from consentgate.console.session import HOME
from consentgate.console.templating import STATIC
from consentgate.errors import NotFound
from consentgate.service.wiring import Services

STATIC_FILES = {p.name: p for p in STATIC.iterdir() if p.is_file()}
"""Only these names are served: a path never reaches the file system."""


def console_router(services: Callable[[], Services]) -> APIRouter:
    """Every console route, under ``/console``."""

    async def bind(request: Request) -> None:
        request.state.console_services = services

    router = APIRouter(prefix="/console", dependencies=[Depends(bind)], include_in_schema=False)
    for area in (account.router, login.router, users_page.router, *PAGES):
        router.include_router(area)
    router.add_api_route("", home, methods=["GET"])
    router.add_api_route("/", home, methods=["GET"])
    router.add_api_route("/static/{name}", static, methods=["GET"])
    return router


async def home() -> Response:
    """The console's front page is the queue."""
    return RedirectResponse(HOME, status_code=303)


async def static(name: str) -> Response:
    """A file of ``console/static`` (CSS, the keyboard script)."""
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound("no such file")
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media.endswith("javascript"):
        media += "; charset=utf-8"
    return Response(path.read_bytes(), media_type=media)
