"""Template part 4: notices received, their items, the actions taken and how fast, by category.

Notices and items count under the category their statement would say
(``case_facts.category_exprs``); actions are the statements of restrictions made on
notices (``statement_counts``), under the category each says, on the law or the
terms by its ground.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from consentgate.reports.case_facts import category_exprs, notifier_expr, trusted_expr
from consentgate.reports.categories import Basis, Category
from consentgate.reports.period import Period
from consentgate.reports.records import NoticeCounts, NoticeRow, Percentiles
from consentgate.reports.statement_counts import Stated
from consentgate.store.cases_tables import cases, notices


def notice_counts(
    conn: Connection,
    period: Period,
    stated: list[Stated],
    medians: dict[tuple[str, bool], Percentiles],
) -> NoticeCounts:
    """Notices received in the period (and their items), restrictions on notice items made
    in it and the time to decide them, per category and keyword, with a TOTAL row first."""
    kind, data = notices.c.kind, notices.c.data
    category, keyword = category_exprs(kind, data["alleged_category"].as_string())
    keys = (kind, notifier_expr(kind, data), category, keyword, trusted_expr(data))
    rows = conn.execute(
        select(*keys, func.count(func.distinct(notices.c.id)), func.count(cases.c.id))
        .select_from(notices.outerjoin(cases, cases.c.notice_id == notices.c.id))
        .where(notices.c.received_at >= period.start, notices.c.received_at < period.end)
        .group_by(*keys)
    ).all()
    table: dict[str, dict[str, Any]] = defaultdict(Counter)
    by_kind, by_notifier = Counter[str](), Counter[str]()
    for kind, notifier, cat, kw, is_trusted, n_notices, n_items in rows:
        by_kind[kind] += n_notices
        by_notifier[notifier] += n_notices
        for key in _keys(cat, kw):
            row = table[key]
            row["notices"] += n_notices
            row["items"] += n_items
            if is_trusted:
                row["notices_trusted"] += n_notices
                row["items_trusted"] += n_items
    for g in stated:
        if not g.from_notice:
            continue
        column = "actions" if g.basis is Basis.LAW else "actions_terms"
        for key in _keys(*g.category):
            table[key][column] += g.n
            if g.trusted:
                table[key][f"{column}_trusted"] += g.n
    for (key, is_trusted), value in medians.items():
        table.setdefault(key, Counter())
        table[key]["median_trusted_s" if is_trusted else "median_s"] = value.p50_s
    total = table.pop("TOTAL", Counter())
    ordered = [NoticeRow(category="TOTAL", **total)]
    for key in sorted(table):
        cat, kw = Category.from_key(key)
        ordered.append(NoticeRow(category=cat, keyword=kw, **table[key]))
    return NoticeCounts(
        received=int(total.get("notices", 0)),
        items=int(total.get("items", 0)),
        by_kind=dict(by_kind),
        by_notifier=dict(by_notifier),
        rows=ordered,
    )


def _keys(category: str | None, keyword: str | None) -> list[str]:
    """The rows one count adds to: TOTAL, its category, and its keyword under the category."""
    keys = ["TOTAL"]
    if category is not None:
        keys.append(category)
        if keyword is not None:
            keys.append(f"{category}/{keyword}")
    return keys
