"""``/console/appeals``: cases under appeal, never one the reviewer decided themselves.

The case service refuses (403) an appeal decided by the person whose decision
is under appeal (``CaseService.decide_appeal``, by user id or by name); this
page does not offer them such a case in the first place. Expedited complaints
(a reporter's, on an intimate-image case) come first, as in every list.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consentgate.api.runtime import services_of
from consentgate.cases.paging import Cursor
from consentgate.cases.records import Case, CaseState
from consentgate.cases.service import same_person
from consentgate.console.pages.access import queues_of
from consentgate.console.pages.queue import row_of
from consentgate.console.pages.route import PageRoute, page
from consentgate.console.session import console_user, requires
from consentgate.people import Act, User

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 100


@router.get("/appeals", dependencies=[Depends(requires(Act.DECIDE_APPEAL))])
async def appeals_page(
    request: Request,
    user: Annotated[User, Depends(console_user)],
    after: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    service = services_of(request).cases
    shown = queues_of(user)
    found: list[Case] = []
    cursor: Cursor | None = None
    if shown:
        found, cursor = await run_in_threadpool(
            service.page,
            states=(CaseState.APPEALED,),
            limit=PAGE_SIZE,
            after=None if after is None else Cursor.decode(after),
            queues=shown,
        )
    offered = [case for case in found if not same_person(user, case)]
    now = service.clock()
    return page(
        request,
        "pages/appeals.html",
        {
            "rows": [row_of(case, now) for case in offered],
            "hidden": len(found) - len(offered),
            "next": cursor.encode() if cursor is not None else None,
        },
    )
