"""Transparency reports from the case tables (EU-12, EU-15, UK-18), on SQLite and PostgreSQL.

The world (``tests/reports/world.py``) says what was built; every expected count
below is worked out from that description, not read from a run.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.statements.harms import PROFILES, notice_harm
from consentgate.cases.statements.records import Harm
from consentgate.errors import BadInput
from consentgate.reports.build import build_report
from consentgate.reports.categories import Basis, Category
from consentgate.reports.eu_csv import PARTS, render, template
from consentgate.reports.period import period_of
from consentgate.reports.records import TransparencyReport
from consentgate.settings import Settings
from tests.reports.world import PERIOD, World

HEADERS = Path(__file__).parent / "data" / "eu_template_headers.txt"
"""The first line of each published template (Commission CSV files, Annex I of 2024/2835)."""
NOW = datetime(2027, 1, 5, tzinfo=UTC)


def report_of(world: World, start: str = PERIOD[0], end: str = PERIOD[1]) -> TransparencyReport:
    settings = Settings(provider_name="Example Ltd")
    return build_report(world.db, period_of(start, end), settings, now=NOW)


def test_EU_12_when_a_period_is_reported_then_each_count_is_the_one_built(world: World) -> None:
    r = report_of(world)
    assert r.screens.by_verdict == {"allow": 7, "review": 1, "block": 6}
    assert (r.screens.uploads_blocked, r.screens.requests_refused) == (4, 2)
    assert r.screens.escalations == 1
    d = r.decisions
    assert (d.total, d.remove, d.no_action, d.automated, d.human) == (5, 4, 1, 1, 4)
    queues = {q.queue: q for q in d.queues}
    # intimate images: TIDA items after 30 min, 90 min and 50 h, and the retro-match after 20
    intimate = queues["intimate_images"]
    assert (intimate.received, intimate.decided, intimate.decided_late) == (4, 4, 1)
    assert intimate.time_to_decision.p50_s == 30 * 60
    assert intimate.time_to_decision.p90_s == 50 * 3600
    assert intimate.open_breached == 1  # the November notice, never decided
    assert (queues["other"].open_breached, queues["child_safety"].open_breached) == (1, 1)
    n = r.notices
    assert (n.received, n.items) == (4, 5)  # the November notice is outside the period
    assert n.by_kind == {"take_it_down": 2, "dsa_notice": 1, "child_safety": 1}
    assert n.by_notifier == {"identified": 2, "trusted_flagger": 1, "anonymous": 1}
    a = r.appeals
    assert (a.filed, a.upheld, a.reversed, a.pending, a.new_restrictions) == (1, 0, 1, 0, 1)
    assert a.time_to_decision.p50_s == 60 * 60
    assert [t.filed for t in a.types] == [0, 0, 1]  # about a trusted flagger's notice
    auto = r.automation
    assert (auto.measures_automated, auto.measures_human) == (4 + 1, 3)
    assert (auto.notices_automated, auto.notices_human) == (1, 3)
    assert [(b.name, b.entries) for b in r.banks] == [("csam-list", 0), ("ncii-main", 3)]
    assert r.child_safety.escalations == 1 and r.child_safety.awaiting_report == 1


def test_EU_12_EU_15_when_notices_are_counted_then_each_lands_on_its_category_and_keyword_row(
    world: World,
) -> None:
    rows = {(row.category, row.keyword): row for row in report_of(world).notices.rows}
    # the trusted flagger's notice alleges cyber violence: its statement would say the
    # intimate-image keyword, so it counts there beside the TAKE IT DOWN notices
    ncii = rows[("STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING")]
    assert (ncii.notices, ncii.items, ncii.actions, ncii.actions_terms) == (3, 4, 3, 0)
    assert ncii.median_s == 30 * 60  # of 10 min (not acted on), 30 min, 90 min, 50 h
    assert (ncii.notices_trusted, ncii.items_trusted, ncii.actions_trusted) == (1, 1, 0)
    violence = rows[("STATEMENT_CATEGORY_CYBER_VIOLENCE", None)]
    assert (violence.notices, violence.notices_trusted, violence.items_trusted) == (3, 1, 1)
    assert violence.median_trusted_s == 10 * 60
    total = rows[("TOTAL", None)]
    assert (total.notices, total.items, total.actions) == (4, 5, 3)
    csam = rows[("STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL")]
    assert (csam.notices, csam.actions, csam.median_s) == (1, 0, None)


def test_EU_12_when_the_csv_is_written_then_each_header_row_is_byte_identical_to_the_template(
    world: World,
) -> None:
    published = HEADERS.read_bytes().split(b"\n")
    r = report_of(world)
    for name, header in zip(PARTS, published, strict=False):
        assert render(name, r).encode("utf-8").split(b"\n", 1)[0] == header, name


def test_EU_12_when_the_csv_is_written_then_every_template_row_keeps_its_place_and_width(
    world: World,
) -> None:
    r = report_of(world)
    identity = {"part1_summary": (0, 2), "part7_appeals": (0, 3, 4, 5)}
    for name in PARTS:
        _, expected = template(name)
        written = list(csv.reader(io.StringIO(render(name, r))))[1:]
        assert len(written) == len(expected), name
        for got, want in zip(written, expected, strict=True):
            assert len(got) == len(want), name
            for column in identity.get(name, (0, 3, 4, 5) if name.startswith("part8") else (0, 3)):
                assert got[column] == want[column], name  # the row says what it counts
            if name != "part1_summary":
                assert got[2] == "2026-12-01/2026-12-31", name


def test_EU_12_when_own_initiative_measures_are_written_then_law_and_terms_go_to_parts_5_and_6(
    world: World,
) -> None:
    r = report_of(world)

    def row(part: str, code: str) -> dict[str, str]:
        text = render(part, r)
        table = csv.DictReader(io.StringIO(text))
        found = [line for line in table if code in line.values()]
        return {k.strip(): v for k, v in found[0].items()}

    measures = "Number of measures taken at the provider's own initiative"
    # two R2 uploads and the retro-match removal; the R1+R6 upload counts once, as CSAM
    assert (
        row("part5_own_initiative_illegal", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING")[measures] == "3"
    )
    assert (
        row("part5_own_initiative_illegal", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL")[measures] == "1"
    )
    assert row("part6_own_initiative_terms", "KEYWORD_ADULT_SEXUAL_MATERIAL")[measures] == "1"
    assert row("part5_own_initiative_illegal", "TOTAL")["Account restriction Suspension"] == ""
    summary = render("part1_summary", r)
    assert "Starting date of reporting period,2026-12-01" in summary
    assert "Ending date of reporting period,2026-12-31" in summary
    appeals = render("part7_appeals", r)
    assert (
        "Number of restrictions newly imposed as a result of an internal complaint,Total number,1"
        in appeals
    )


def _rows_under(part: str) -> set[tuple[str, str | None]]:
    """Each (category, keyword) row of a template part, and (category, None) for its own."""
    _, rows = template(part)
    found: set[tuple[str, str | None]] = set()
    category = ""
    for row in rows:
        if row[3].startswith("STATEMENT_CATEGORY_"):
            category = row[3]
            found.add((category, None))
        elif row[3].startswith("KEYWORD_"):
            found.add((category, row[3]))
    return found


@pytest.mark.parametrize("harm", list(Harm))
def test_EU_15_when_a_harm_is_stated_then_the_template_of_its_basis_has_its_row(
    harm: Harm,
) -> None:
    stated = Category.stated(harm)
    basis = Basis.of_ground(PROFILES[harm].ground.value)
    part = "part5_own_initiative_illegal" if basis is Basis.LAW else "part6_own_initiative_terms"
    assert tuple(stated) in _rows_under(part)
    if basis is Basis.LAW:  # what a notice alleges as illegal is a row of part 4 too
        assert tuple(stated) in _rows_under("part4_notices")


def test_EU_15_when_a_dsa_notice_names_no_category_then_part_4_has_the_row_it_counts_on() -> None:
    for alleged in (None, "", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "no such category"):
        assert tuple(Category.stated(*notice_harm(alleged))) in _rows_under("part4_notices")
    assert Category.stated(*notice_harm(None)).category == "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"


def test_when_a_date_ends_the_period_then_the_whole_day_is_included(world: World) -> None:
    world.at(0)
    late = world.cases.open(CaseKind.RETRO_MATCH, Item(decision_id="d9")).id
    world.clock.now = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    world.cases.decide(late, Action.REMOVE, reason="r", actor="alice")
    assert report_of(world).decisions.total == 6
    assert report_of(world, "2026-12-01", "2026-12-30").decisions.total == 5
    assert report_of(world, "2026-12-01", "2026-12-31T23:59:00Z").decisions.total == 5


def test_when_the_period_holds_nothing_then_counts_are_zero_and_times_are_null(
    world: World,
) -> None:
    r = report_of(world, "2030-01-01", "2030-01-31")
    assert r.screens.total == 0 and r.decisions.total == 0 and r.notices.received == 0
    assert r.decisions.time_to_decision.p50_s is None and r.appeals.filed == 0
    assert len(r.series.points) == 31 and r.series.unit == "day"
    assert all(p.cases_received == 0 and not p.screens for p in r.series.points)
    text = render("part4_notices", r)
    assert ",TOTAL,,0,0,0,0,,,0,0," in text


def test_when_the_period_is_long_then_the_series_is_by_month(world: World) -> None:
    r = report_of(world, "2026-01-01", "2026-12-31")
    assert r.series.unit == "month" and [p.at for p in r.series.points][-1] == "2026-12"
    assert len(r.series.points) == 12


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-12-31", "2026-12-01", "to"),
        ("2026-13-01", "2026-12-31", "from"),
        ("yesterday", "2026-12-31", "from"),
        ("2026-12-01T00:00:00", "2026-12-31", "from"),  # no zone
        ("2000-01-01", "2030-01-01", "to"),  # over 20 years
        ("9999-12-30", "9999-12-31", "to"),  # the day after the last is no date
        ("0001-01-01", "0001-01-02", "from"),
        ("2026-12-01T00:00:00+25:00", "2026-12-31", "from"),
    ],
)
def test_when_the_period_is_bad_then_refused_naming_the_bound(
    start: str, end: str, field: str
) -> None:
    with pytest.raises(BadInput) as caught:
        period_of(start, end)
    assert caught.value.field == field


def test_UK_18_when_a_report_is_built_then_it_answers_the_uk_questions_apart_from_the_eu_parts(
    world: World,
) -> None:
    r = report_of(world)
    intimate = next(q for q in r.decisions.queues if q.queue == "intimate_images")
    assert intimate.deadline_h == 48 and intimate.decided_late == 1  # OSA s.10(3A)
    assert r.child_safety.reported == {} and r.child_safety.awaiting_report == 1  # NCA duty
    parts = "".join(render(name, r) for name in PARTS)
    assert "intimate_images" not in parts and "NCA" not in parts


def test_when_the_report_spans_a_period_then_later_events_do_not_change_it(world: World) -> None:
    before = report_of(world)
    world.clock.now = datetime(2027, 1, 2, tzinfo=UTC)
    world.cases.decide(world.ids["review"], Action.REMOVE, reason="late", actor="alice")
    after = report_of(world)
    assert after.decisions == before.decisions and after.appeals == before.appeals
    assert report_of(world, "2027-01-01", "2027-01-31").decisions.total == 1
    assert world.clock.now - timedelta(days=1) > datetime(2026, 12, 31, tzinfo=UTC)
