"""The console's pages: each module's router, in the order they are mounted.

Every page is a thin shell: it reads the logged-in user from the session, calls
the case, bank or notice service as that user, and renders a template. Errors
become HTML pages with the service's status (``route.PageRoute``).
"""

from __future__ import annotations

from fastapi import APIRouter

from consentgate.console.pages import appeals, banks, case, queue, reports, status

PAGES: tuple[APIRouter, ...] = (
    queue.router,
    case.router,
    appeals.router,
    banks.router,
    reports.router,
    status.router,
)
