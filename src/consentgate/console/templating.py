"""The Jinja2 templates every console page renders with (autoescaped).

Globals: ``csrf_token()`` (the token for the request's forms; put
``{% include "_csrf.html" %}`` inside each form), ``static_url(name)`` (a file of
``static/`` with a version tag, so a changed file is fetched again) and the
logged-in user as ``request.state.user``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.templating import Jinja2Templates

from consentgate.console.session import csrf_token as request_csrf_token

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@cache
def _version(name: str) -> str:
    path = STATIC / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"


def static_url(name: str) -> str:
    return f"/console/static/{name}?v={_version(name)}"


@pass_context
def csrf_token(context: Any) -> str:
    return request_csrf_token(context["request"])


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]
"""A message of the services (written to follow ``error: ``) as a sentence on a page."""
env.globals["csrf_token"] = csrf_token
env.globals["static_url"] = static_url
templates = Jinja2Templates(env=env)
