"""The case tables as one row per case, in SQL: the facts every case count is made from.

``case_facts`` joins each case to its notice (trusted flagger, alleged
category) and turns the instants of its JSON record (decided, appealed) into
seconds, so every later query is a filter and a ``GROUP BY`` over it. The
``category`` and ``keyword`` columns are those its statement says or would say
(``category_exprs``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Float,
    MetaData,
    String,
    Subquery,
    Table,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    null,
    select,
)

from consentgate.cases.records import AUTOMATED, CaseKind
from consentgate.cases.statements.harms import ALLEGED, CATEGORIES, QUEUE_HARMS, notice_harm
from consentgate.cases.statements.records import Harm
from consentgate.reports.categories import Category
from consentgate.reports.sql import Dialect
from consentgate.store.cases_tables import cases, notices


def category_exprs(
    kind: ColumnElement[Any],
    alleged: ColumnElement[Any],
    escalated: ColumnElement[Any] | None = None,
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The category and keyword the statement of a case (or notice) of ``kind`` says, or
    would say: child sexual abuse once ``escalated``, else the harm of the kind's queue,
    else for a DSA notice what it alleges (``harms.notice_harm``); null when only a
    person can tell (an automated review)."""
    whens: list[tuple[ColumnElement[bool], Category]] = []
    if escalated is not None:
        whens.append((func.coalesce(escalated, false()), Category.stated(Harm.CHILD_SEXUAL_ABUSE)))
    for k in CaseKind:
        if k.queue in QUEUE_HARMS:
            whens.append((kind == k.value, Category.stated(QUEUE_HARMS[k.queue])))
    said = {text: Category.stated(*notice_harm(text)) for text in (*ALLEGED, *CATEGORIES)}
    unsaid = Category.stated(*notice_harm(None))
    dsa = kind == CaseKind.DSA_NOTICE.value

    def pick(part: int) -> ColumnElement[Any]:
        of_notice = case(
            *[(alleged == text, _text(c[part])) for text, c in said.items()],
            else_=_text(unsaid[part]),
        )
        return case(*[(when, _text(c[part])) for when, c in whens], (dsa, of_notice))

    return pick(0), pick(1)


def _text(value: str | None) -> ColumnElement[Any]:
    return null() if value is None else literal(value)


def trusted_expr(data: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether a notice came from a trusted flagger (false when there is no notice)."""
    flag = data["is_trusted_flagger"].as_boolean()
    return func.coalesce(flag, false(), type_=Boolean)


def notifier_expr(kind: ColumnElement[Any], data: ColumnElement[Any]) -> ColumnElement[str]:
    """trusted_flagger, anonymous (a child-safety notice with neither name nor e-mail) or
    identified."""
    anonymous = and_(
        kind == CaseKind.CHILD_SAFETY.value,
        data["notifier_name"].as_string().is_(None),
        data["notifier_email"].as_string().is_(None),
    )
    return case(
        (trusted_expr(data), literal("trusted_flagger")),
        (anonymous, literal("anonymous")),
        else_=literal("identified"),
    )


FACTS = Table(
    "report_case_facts",
    MetaData(),  # never migrated: a temporary table of one report's transaction
    Column("id", String(32), primary_key=True),
    Column("kind", String(40)),
    Column("queue", String(20)),
    Column("state", String(20)),
    Column("notice_id", String(32)),
    Column("received", Float),
    Column("deadline", Float),
    Column("decided", Float),
    Column("action", String(20)),
    Column("automated", Boolean),
    Column("appealed", Float),
    Column("appeal_by", String(20)),
    Column("trusted", Boolean),
    Column("category", String(100)),
    Column("keyword", String(100)),
    prefixes=["TEMPORARY"],
)
"""``case_facts`` written once per report: every count then scans these short rows
instead of parsing each case's JSON record again."""


def materialise(conn: Connection, dialect: Dialect) -> Table:
    """``FACTS`` filled from ``case_facts`` in ``conn``'s transaction (it goes with it)."""
    FACTS.create(conn)
    source = case_facts(dialect)
    conn.execute(insert(FACTS).from_select([c.name for c in FACTS.c], select(source)))
    return FACTS


def case_facts(dialect: Dialect) -> Subquery:
    """One row per case: ids, kind, queue, state, seconds of each instant, category, keyword.

    The JSON documents are parsed once per row (``Dialect.parsed``, in a subquery the
    planner keeps apart with ``OFFSET 0``), not once per field read from them.
    """
    parsed = (
        select(
            cases,
            dialect.parsed(cases.c.record).label("doc"),
            dialect.parsed(notices.c.data).label("notice"),
        )
        .select_from(cases.outerjoin(notices, notices.c.id == cases.c.notice_id))
        .offset(0)
        .subquery("parsed")
    )
    doc, notice = parsed.c.doc, parsed.c.notice
    category, keyword = category_exprs(
        parsed.c.kind, notice["alleged_category"].as_string(), doc["escalated"].as_boolean()
    )
    return select(
        parsed.c.id,
        parsed.c.kind,
        parsed.c.queue,
        parsed.c.state,
        parsed.c.notice_id,
        dialect.epoch(parsed.c.received_at).label("received"),
        dialect.epoch(parsed.c.deadline_at).label("deadline"),
        dialect.epoch(doc["decided_at"].as_string()).label("decided"),
        doc["action"].as_string().label("action"),
        (doc["decided_by"].as_string() == AUTOMATED).label("automated"),
        dialect.epoch(doc["appealed_at"].as_string()).label("appealed"),
        doc["appeal_by"].as_string().label("appeal_by"),
        trusted_expr(notice).label("trusted"),
        category.label("category"),
        keyword.label("keyword"),
    ).subquery("facts")
