"""A report counts each restriction as its statement of reasons says it (EU-12, EU-15).

The world (``tests/reports/world.py``) is grown with the restrictions whose category
a report once chose apart from their statements: a DSA notice that names no category,
a retro-match against a child-abuse hash list, an automated review whose screen is
unknown, and an upload blocked for a sexual deepfake. Then the statements are exported
as the Transparency Database takes them, and the report's measures are held against
them, category by category (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.statements.export import json_lines
from consentgate.reports.categories import Basis, Category
from consentgate.reports.records import TransparencyReport
from tests.reports.test_transparency import report_of
from tests.reports.world import World

UNNAMED = {
    "kind": "dsa_notice",
    "explanation": "this image is illegal",
    "items": [{"url": "https://example.com/p/unnamed"}],
    "notifier_name": "A Notifier",
    "notifier_email": "notifier@example.org",
    "bona_fide_statement": True,
}


def _grown(world: World) -> World:
    world.notice("unnamed", UNNAMED, minutes=200)
    world.decide("unnamed.0", Action.REMOVE, 260)
    world.at(300)
    csam = Item(decision_id="d-csam")
    world.ids["csam"] = world.cases.open(CaseKind.RETRO_MATCH, csam, data={"bank_kind": "csam"}).id
    world.decide("csam", Action.REMOVE, 310)
    world.decide("review", Action.REMOVE, 320)  # its screen `d2` is not in the store
    world.screen("upload", "block", ["R4"], 2)
    return world


def _exported(world: World) -> list[dict[str, object]]:
    lines = json_lines(world.db, date(2026, 12, 1), date(2026, 12, 31))
    return [json.loads(line) for line in lines]


def _measures(report: TransparencyReport) -> Counter[tuple[Basis, str, str | None]]:
    """Restrictions by basis, category and keyword rows, from parts 4, 5 and 6."""
    found: Counter[tuple[Basis, str, str | None]] = Counter()
    for row in report.notices.rows:
        found[(Basis.LAW, row.category, row.keyword)] += row.actions
        found[(Basis.TERMS, row.category, row.keyword)] += row.actions_terms
    for m in report.own_initiative:
        found[(m.basis, m.category, m.keyword)] += m.measures
    return +found


def _said(bodies: list[dict[str, object]]) -> Counter[tuple[Basis, str, str | None]]:
    """The same rows, from the statements: a TOTAL, the category and its first keyword."""
    found: Counter[tuple[Basis, str, str | None]] = Counter()
    for body in bodies:
        basis = Basis.of_ground(str(body["decision_ground"]))
        keywords = body.get("category_specification") or [None]
        assert isinstance(keywords, list)
        stated = Category(str(body["category"]), keywords[0])
        found[(basis, "TOTAL", None)] += 1
        found[(basis, stated.category, None)] += 1
        if stated.keyword is not None:
            found[(basis, *stated)] += 1
    return found


def test_EU_12_EU_15_when_restrictions_are_reported_then_each_row_counts_what_statements_say(
    world: World,
) -> None:
    grown = _grown(world)
    bodies = _exported(grown)
    assert len(bodies) == 8 + 5  # the world's eight, and the five added here
    report = report_of(grown)
    assert _measures(report) == _said(bodies)
    categories = Counter(str(b["category"]) for b in bodies)
    assert categories["STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"] == 1
    assert categories["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"] == 2  # the R1 upload, d-csam
    assert categories["STATEMENT_CATEGORY_OTHER_VIOLATION_TC"] == 2  # R6, the review


def test_EU_12_when_uploads_are_blocked_then_parts_5_and_6_take_their_statements_visibility(
    world: World,
) -> None:
    grown = _grown(world)
    uploads = [b for b in _exported(grown) if b["source_type"] == "SOURCE_VOLUNTARY"]
    report = report_of(grown)
    totals = {m.basis: m for m in report.own_initiative if m.category == "TOTAL"}
    assert sum(m.measures for m in totals.values()) == len(uploads) == 4 + 2 + 3
    for basis, m in totals.items():
        mine = [b for b in uploads if Basis.of_ground(str(b["decision_ground"])) is basis]
        shown = Counter(v for b in mine for v in b["decision_visibility"])  # type: ignore[attr-defined]
        assert m.visibility == dict(shown)
        assert m.removals == shown["DECISION_VISIBILITY_CONTENT_REMOVED"] == m.measures
        assert m.automated_detection == sum(b["automated_detection"] == "Yes" for b in mine)
    deepfake = [
        m for m in report.own_initiative if m.keyword == "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"
    ]
    assert [(m.basis, m.measures) for m in deepfake] == [(Basis.LAW, 2)]
