"""Errors on console pages as HTML: the same problem document, rendered for a person.

``consentgate.api.problems`` decides every error's status, title and detail in
one place; under ``/console`` it hands the document to ``problem_page``, which
renders it with the console's layout. A 303 (not logged in) stays a bare
redirect. Only ``Retry-After`` and ``Location`` are kept of its headers.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from consentgate.console.headers import page_headers
from consentgate.console.templating import templates

PREFIX = "/console"
KEPT = ("retry-after", "location")


def problem_page(request: Request, problem: Response) -> Response:
    """``problem`` (a problem+json response) as a console page."""
    headers = {k: v for k, v in problem.headers.items() if k.lower() in KEPT}
    if 300 <= problem.status_code < 400:
        return Response(status_code=problem.status_code, headers=headers)
    try:
        doc = json.loads(bytes(problem.body))
    except ValueError:
        doc = {}
    html = templates.get_template("error.html").render(
        request=request,
        title=doc.get("title", "Error"),
        detail=doc.get("detail"),
    )
    response = HTMLResponse(html, status_code=problem.status_code, headers=headers)
    response.headers.update(page_headers(request.url.path))
    return response
