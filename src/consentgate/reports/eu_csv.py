"""Transparency reports in the layout of the EU harmonised templates (Impl. Reg. 2024/2835).

Each part is the Commission's CSV template (``eu_templates``) with the cells we
can fill filled in: its header row is copied from the template byte for byte
(EU-12: "headers byte-identical to the official template"), every template row
keeps its place, the reporting period and the service's name are set, and a
count ConsentGate keeps is written even when it is 0 (no notice of a category
is a true 0). Cells about things ConsentGate does not see (account
suspensions, orders from authorities, out-of-court disputes, accuracy against
a ground truth) stay empty for the platform to fill. Median times are in hours.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources

from consentgate.cases.statements.tdb import DecisionVisibility
from consentgate.reports.categories import Basis
from consentgate.reports.records import MeasureRow, NoticeRow, Percentiles, TransparencyReport

PARTS = {
    "part1_summary": "part_1_summary.csv",
    "part4_notices": "part_4_notices.csv",
    "part5_own_initiative_illegal": "part_5_own_initiative_illegal.csv",
    "part6_own_initiative_terms": "part_6_own_initiative_TC.csv",
    "part7_appeals": "part_7_appeals_and_recidivism.csv",
    "part8_automated_means": "part_8_automated_means.csv",
}
"""Each part we fill, by the name its file gets (``<name>.csv``), and its template."""

PLACEHOLDER_PERIOD = "YYYY-MM-DD/YYYY-MM-DD"
OTHER_PROMPT = 'Text to detail the "Other" keyword.'
VISIBILITY_COLUMNS = {
    DecisionVisibility.CONTENT_REMOVED.value: "Removal",
    DecisionVisibility.CONTENT_DISABLED.value: "Disable",
    DecisionVisibility.CONTENT_DEMOTED.value: "Demoted",
    DecisionVisibility.CONTENT_AGE_RESTRICTED.value: "Age restricted",
    DecisionVisibility.CONTENT_INTERACTION_RESTRICTED.value: "Interaction restricted",
    DecisionVisibility.CONTENT_LABELLED.value: "Labelled",
    DecisionVisibility.OTHER.value: "Other",
}
"""The template's visibility columns, by the statements' ``decision_visibility``."""
MEDIAN_NOTE = "hours from receipt of the notice to the decision on the item (nearest rank)"


def template(name: str) -> tuple[str, list[list[str]]]:
    """A part's header line (exactly as published, without its newline) and its rows."""
    text = (
        resources.files("consentgate.reports.eu_templates")
        .joinpath(PARTS[name])
        .read_text(encoding="utf-8")
    )
    header, _, body = text.partition("\n")
    return header, list(csv.reader(io.StringIO(body)))


def hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def render(name: str, report: TransparencyReport) -> str:
    """One part as CSV text: the published header line, then the template's rows, filled."""
    header, rows = template(name)
    columns = {title.strip(): n for n, title in enumerate(next(csv.reader([header])))}
    fill = _FILLERS[name]
    out = io.StringIO()
    out.write(header + "\n")
    writer = csv.writer(out, lineterminator="\n")
    category = ""
    for row in rows:
        cells = list(row)
        if cells[2:3] == [PLACEHOLDER_PERIOD]:
            cells[2] = report.period.label
        cells[1] = report.provider or ""
        if len(cells) > 4 and cells[4] == OTHER_PROMPT:
            cells[4] = ""
        code = cells[3] if len(cells) > 3 else ""
        if code == "TOTAL" or code.startswith("STATEMENT_CATEGORY_"):
            category = code
        for title, value in fill(report, cells, category).items():
            cells[columns[title]] = value
        writer.writerow(cells)
    return out.getvalue()


Filler = Callable[[TransparencyReport, list[str], str], dict[str, str]]


def _summary(report: TransparencyReport, cells: list[str], _category: str) -> dict[str, str]:
    values = {
        "Name of the service provider": report.provider or "",
        "Date of the publication of the report": report.generated_at.date().isoformat(),
        "Date of the publication of the latest previous report": "",
        "Starting date of reporting period": report.period.label.split("/")[0],
        "Ending date of reporting period": report.period.label.split("/")[1],
    }
    return {"Value": values.get(cells[2], "")}


def _row_key(cells: list[str], category: str) -> tuple[str, str | None]:
    code = cells[3]
    return (code, None) if code == category else (category, code)


def _notices(report: TransparencyReport, cells: list[str], category: str) -> dict[str, str]:
    found = {(r.category, r.keyword): r for r in report.notices.rows}
    r = found.get(_row_key(cells, category), NoticeRow(category=category))
    tf = " (Trusted Flagger notices)"
    items = "Number of specific items of information included in the total number of notices"
    terms = "Number of actions taken on the basis of the terms and conditions of the service"
    return {
        "Number of notices received": str(r.notices),
        "Number of notices received from Trusted flaggers": str(r.notices_trusted),
        items: str(r.items),
        f"{items} by Trusted Flaggers{tf}": str(r.items_trusted),
        "Median time to take action": hours(r.median_s),
        f"Median time to take action{tf}": hours(r.median_trusted_s),
        "Number of actions taken on the basis of the law": str(r.actions),
        f"Number of actions taken on the basis of the law{tf}": str(r.actions_trusted),
        f"{terms}": str(r.actions_terms),
        f"{terms}{tf}": str(r.actions_terms_trusted),
        "Contextual information on Median time to take action": MEDIAN_NOTE if r.median_s else "",
    }


def _measures(basis: Basis) -> Filler:
    def fill(report: TransparencyReport, cells: list[str], category: str) -> dict[str, str]:
        found = {(m.category, m.keyword): m for m in report.own_initiative if m.basis is basis}
        m = found.get(_row_key(cells, category), MeasureRow(basis=basis, category=category))
        values = {
            "Number of measures taken at the provider's own initiative": str(m.measures),
            "Number of measures taken after detection with solely automated means": str(
                m.automated_detection
            ),
        }
        for restriction, column in VISIBILITY_COLUMNS.items():
            values[f"Visibility restriction {column}"] = str(m.visibility.get(restriction, 0))
        return values

    return fill


def _appeals(report: TransparencyReport, cells: list[str], _category: str) -> dict[str, str]:
    a = report.appeals
    types = {t.type: t for t in a.types}
    indicator, scope = cells[4].strip(), cells[5].strip()
    totals = {"filed": a.filed, "upheld": a.upheld, "reversed": a.reversed}
    by_indicator: dict[str, tuple[dict[str, int], Percentiles]] = {
        "Number of complaints submitted to the internal-complaints mechanism": (
            totals, a.time_to_decision
        ),
    }  # fmt: skip
    for prefix, name in (
        ("Complaint regarding a decision to remove or disable access", "removal"),
        ("Complaint regarding a decision not to take action on a notice submitted in "
         "accordance with Article 16", "no_action_notice"),
        ("Complaint regarding a decision not to take action on a notice submitted by a "
         "Trusted Flagger", "no_action_trusted_flagger"),
    ):  # fmt: skip
        if indicator.startswith(prefix):
            t = types[name]
            by_indicator[indicator] = (
                {"filed": t.filed, "upheld": t.upheld, "reversed": t.reversed},
                t.time_to_decision,
            )
    if indicator == "Number of restrictions newly imposed as a result of an internal complaint":
        return {"Value": str(a.new_restrictions)}
    if indicator not in by_indicator:
        return {}
    counts, timing = by_indicator[indicator]
    value = {
        "Total number": str(counts["filed"]),
        "Decisions upheld": str(counts["upheld"]),
        "Decisions partially reversed": "0",
        "Decisions reversed": str(counts["reversed"]),
        "Median time": hours(timing.p50_s),
    }.get(scope)
    if value is None:
        return {}
    note = "hours from the complaint to its decision" if scope == "Median time" else ""
    return {"Value": value, "Contextual Information": note}


def _automation(report: TransparencyReport, cells: list[str], _category: str) -> dict[str, str]:
    a = report.automation
    indicator, scope = cells[4].strip(), cells[5].strip()
    values = {
        ("Number of measures solely taken by automated means", "Total number"):
            a.measures_automated,
        ("Number of measures not taken by automated means", "Total number"): a.measures_human,
        ("Number of measures solely taken by automated means", "Own-initiative"):
            a.own_initiative_automated,
        ("Number of measures not taken by automated means", "Own-initiative"):
            a.own_initiative_human,
        ("Number of notices solely processed by automated means", "NAM Total"):
            a.notices_automated,
        ("Number of notices not processed by automated means", "NAM Total"): a.notices_human,
        ("Number of notices solely processed by automated means", "NAM Trusted Flagger"):
            a.notices_trusted_automated,
        ("Number of notices not processed by automated means", "NAM Trusted Flagger"):
            a.notices_trusted_human,
    }  # fmt: skip
    value = values.get((indicator, scope))
    return {} if value is None else {"Value": str(value)}


_FILLERS: dict[str, Filler] = {
    "part1_summary": _summary,
    "part4_notices": _notices,
    "part5_own_initiative_illegal": _measures(Basis.LAW),
    "part6_own_initiative_terms": _measures(Basis.TERMS),
    "part7_appeals": _appeals,
    "part8_automated_means": _automation,
}
