"""``GET /v1/cases`` and ``/v1/cases/overdue`` page with ``after``: ``X-Next-Cursor`` says
where the next page starts, and is absent on the last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consentgate.cases.records import CaseKind, Item
from consentgate.service.keys import Scope
from tests.api.conftest import Api


def _pages(api: Api, path: str, headers: dict[str, str], **params: str) -> list[list[str]]:
    pages: list[list[str]] = []
    after: dict[str, str] = {}
    while True:
        answer = api.client.get(path, params=params | after, headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append([c["id"] for c in answer.json()])
        if "X-Next-Cursor" not in answer.headers:
            return pages
        after = {"after": answer.headers["X-Next-Cursor"]}


@pytest.mark.parametrize("path", ["/v1/cases", "/v1/cases/overdue"])
def test_when_a_list_is_read_page_by_page_then_every_case_comes_once_in_order(
    sqlite_api: Api, path: str
) -> None:
    opened = [
        sqlite_api.services.cases.open(CaseKind.CHILD_SAFETY, Item(url=f"https://x/{n}")).id
        for n in range(5)
    ]
    headers = sqlite_api.key(Scope.MODERATE)
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    params = {"limit": "2"} | ({"now": later} if path.endswith("overdue") else {})
    pages = _pages(sqlite_api, path, headers, **params)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(c for p in pages for c in p) == sorted(opened)
    whole = sqlite_api.client.get(path, params=params | {"limit": "10"}, headers=headers)
    assert [c["id"] for c in whole.json()] == [c for p in pages for c in p]


@pytest.mark.parametrize(
    ("query", "field"),
    [("after=garbage", "after"), ("limit=1001", "limit"), ("limit=0", "limit")],
)
def test_when_a_page_is_asked_for_wrongly_then_422_names_the_field(
    sqlite_api: Api, query: str, field: str
) -> None:
    headers = sqlite_api.key(Scope.MODERATE)
    for path in ("/v1/cases", "/v1/cases/overdue"):
        answer = sqlite_api.client.get(f"{path}?{query}", headers=headers)
        assert answer.status_code == 422
        assert field in answer.json()["field"]
