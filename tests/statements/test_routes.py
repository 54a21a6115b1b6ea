"""The statement routes (scope ``report``): JSON lines, batches of at most 100 with a cursor,
one statement; each statement checked before it is sent (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import update

from consentgate.service.keys import Scope
from consentgate.store.statements_tables import statements
from tests.api.conftest import Api
from tests.statements.samples import body, stored


def test_EU_9_when_statements_are_read_then_only_a_report_key_may(api: Api) -> None:
    stored(api.services.db, 1)
    for path in ("/v1/statements", "/v1/statements/batch", "/v1/statements/sor-test-0"):
        assert api.client.get(path).status_code == 401
        for scope in (Scope.SCREEN, Scope.MODERATE):
            assert api.client.get(path, headers=api.key(scope)).status_code == 403
        assert api.client.get(path, headers=api.key(Scope.REPORT)).status_code == 200


def test_EU_9_when_exported_over_http_then_each_line_is_one_statement_of_the_range(
    api: Api,
) -> None:
    ids = stored(api.services.db, 6, per_day=2)
    report = api.key(Scope.REPORT)
    r = api.client.get("/v1/statements?from=2026-12-02&to=2026-12-02", headers=report)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line)["puid"] for line in r.text.splitlines()] == ids[2:4]
    bad = api.client.get("/v1/statements?from=12/01/2026", headers=report)
    assert bad.status_code == 422


def test_EU_9_when_batches_are_read_then_each_holds_at_most_100_and_a_cursor_leads_on(
    api: Api,
) -> None:
    ids = stored(api.services.db, 230, per_day=40)
    report = api.key(Scope.REPORT)
    got: list[str] = []
    after: str | None = None
    sizes = []
    while True:
        r = api.client.get(
            "/v1/statements/batch", params={"after": after} if after else {}, headers=report
        )
        assert r.status_code == 200, r.text
        batch = r.json()["statements"]
        sizes.append(len(batch))
        got += [s["puid"] for s in batch]
        after = r.headers.get("X-Next-Cursor")
        if after is None:
            break
    assert sizes == [100, 100, 30] and got == ids
    wrong = api.client.get("/v1/statements/batch?after=yesterday", headers=report)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "after")


def test_EU_9_when_a_stored_statement_is_broken_then_the_export_is_422_naming_it(
    api: Api,
) -> None:
    ids = stored(api.services.db, 2)
    broken = body(n=1)
    broken["category"] = "STATEMENT_CATEGORY_PORN"
    with api.services.db.write() as conn:
        conn.execute(update(statements).where(statements.c.id == ids[1]).values(statement=broken))
    report = api.key(Scope.REPORT)
    for path in ("/v1/statements", "/v1/statements/batch"):
        r = api.client.get(path, headers=report)
        assert r.status_code == 422
        assert r.json()["field"] == "category"
        assert ids[1] in r.json()["detail"]


def test_when_one_statement_is_read_then_it_has_redress_or_is_404(api: Api) -> None:
    (sid,) = stored(api.services.db, 1)
    report = api.key(Scope.REPORT)
    r = api.client.get(f"/v1/statements/{sid}", headers=report)
    assert r.status_code == 200
    assert r.json()["statement"]["puid"] == sid and r.json()["redress"]["how_to_appeal"]
    assert api.client.get("/v1/statements/sor-nope", headers=report).status_code == 404
