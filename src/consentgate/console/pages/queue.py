"""``/console/queue``: open cases by priority then deadline, with live countdowns and filters.

The order is the case service's (``CaseService.page``): expedited complaints,
then child safety, intimate images and the rest, urgent cases first within a
queue, each by deadline. A reviewer sees only the queues their role works
(``access``); filters by queue, kind and state are GET parameters, so a
filtered view is a link. Each row carries its deadline for ``clock.js``
(countdowns) and its links for ``keys.js`` (j/k, Enter, r, n, e, ?).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import services_of
from consentgate.cases.deadlines import Clock, clock_of
from consentgate.cases.paging import Cursor
from consentgate.cases.records import Case, CaseKind, CaseState, Queue
from consentgate.cases.service import LISTED_STATES, is_expedited
from consentgate.console.pages.access import check_queue, queues_of
from consentgate.console.pages.case_view import CASE_ID
from consentgate.console.pages.route import PageRoute, page
from consentgate.console.session import console_user
from consentgate.people import Act, User
from consentgate.records import Record

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
OPEN = "open"
"""The state filter's default: open and in review (what is left to decide)."""
STATE_CHOICES = (OPEN, "listed", *(s.value for s in CaseState))


class Row(Record):
    """One case as the queue shows it."""

    case: Case
    clock: Clock | None
    expedited: bool


def row_of(case: Case, now: datetime) -> Row:
    return Row(case=case, clock=clock_of(case, now), expedited=is_expedited(case))


def _next_url(filters: dict[str, str | None], cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    given = {k: v for k, v in filters.items() if v} | {"after": cursor.encode()}
    return "/console/queue?" + urlencode(given)


def _decided(value: str | None) -> str | None:
    """The case just decided (named by the redirect after a decision), if it is a case id."""
    return value if value is not None and CASE_ID.match(value) else None


def _states(state: str) -> tuple[CaseState, ...]:
    if state == OPEN:
        return (CaseState.OPEN, CaseState.IN_REVIEW)
    if state == "listed":
        return LISTED_STATES
    return (CaseState(state),)


@router.get("/queue")
async def queue_page(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    queue: Queue | None = None,
    kind: CaseKind | None = None,
    state: Annotated[str, Query(pattern="^(" + "|".join(STATE_CHOICES) + ")$")] = OPEN,
    after: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    if queue is not None:
        check_queue(user, queue)
    shown = queues_of(user)
    service = services_of(request).cases
    found: list[Case] = []
    cursor: Cursor | None = None
    if shown:  # a role that shows no queue sees no case (an empty filter would mean all)
        found, cursor = await run_in_threadpool(
            service.page,
            states=_states(state),
            limit=PAGE_SIZE,
            after=None if after is None else Cursor.decode(after),
            queues=(queue,) if queue is not None else shown,
            kinds=(kind,) if kind is not None else (),
        )
    now = service.clock()
    filters = {"queue": queue.value if queue else None, "kind": kind.value if kind else None}
    return page(
        request,
        "pages/queue.html",
        {
            "rows": [row_of(c, now) for c in found],
            "now": now,
            "next": _next_url(filters | {"state": state}, cursor),
            "queues": shown,
            "kinds": list(CaseKind),
            "states": STATE_CHOICES,
            "chosen": {"queue": queue, "kind": kind, "state": state},
            "may_decide": user.may(Act.DECIDE),
            "decided": _decided(request.query_params.get("decided")),
        },
    )
