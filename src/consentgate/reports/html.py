"""The transparency report as one HTML page a compliance officer reads and prints.

A Jinja2 template shipped with the package (``html/report.html.j2``) with the
charts inlined as SVG (``charts``): the file needs nothing else to open, works
offline, and prints (one section per page region, no dark backgrounds). Every
value is escaped by the template; the charts escape their own labels.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from consentgate.reports import charts
from consentgate.reports.records import TransparencyReport

_ENV = Environment(
    loader=PackageLoader("consentgate.reports", "html"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def duration(seconds: float | None) -> str:
    """``None`` as a dash; otherwise minutes, hours or days, whichever reads best."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def label(value: str) -> str:
    """An enum value or a DSA code as words: ``intimate_images`` → ``intimate images``."""
    for prefix in ("STATEMENT_CATEGORY_", "KEYWORD_"):
        value = value.removeprefix(prefix)
    return value.replace("_", " ").lower()


_ENV.filters["duration"] = duration
_ENV.filters["label"] = label
_ENV.filters["num"] = lambda n: f"{n:,}"


def chart_set(report: TransparencyReport) -> dict[str, Markup]:
    points = report.series.points
    at = [p.at for p in points]
    queues = report.decisions.queues
    return {
        "screens": charts.columns(
            "screens", f"Screens per {report.series.unit}, by verdict", at,
            {v: [p.screens.get(v, 0) for p in points] for v in ("allow", "review", "block")},
        ),
        "cases": charts.columns(
            "cases", f"Cases received and decided per {report.series.unit}", at,
            {"received": [p.cases_received for p in points],
             "decided": [p.cases_decided for p in points]},
            side_by_side=True,
        ),
        "time_to_decision": charts.ranges(
            "time_to_decision", "Hours from receipt to decision (p50, p90) against each deadline",
            [(label(q.queue),
              None if q.time_to_decision.p50_s is None else q.time_to_decision.p50_s / 3600,
              None if q.time_to_decision.p90_s is None else q.time_to_decision.p90_s / 3600,
              q.deadline_h) for q in queues],
        ),
        "automation": charts.split(
            "automation", "Decisions on cases: by automated means or by a person",
            [("automated", report.decisions.automated), ("human", report.decisions.human)],
        ),
        "appeals": charts.split(
            "appeals", "Appeals filed in the period, by outcome",
            [("upheld", report.appeals.upheld), ("reversed", report.appeals.reversed),
             ("pending", report.appeals.pending)],
        ),
        "banks": charts.bars(
            "banks", "Active entries per hash bank",
            [(f"{b.name} ({b.kind})", b.entries) for b in report.banks],
        ),
    }  # fmt: skip


def render_html(report: TransparencyReport) -> str:
    return _ENV.get_template("report.html.j2").render(r=report, charts=chart_set(report))
