"""The report for people and machines: JSON, an HTML page, and a short text summary.

The HTML page is one self-contained file (inline CSS, inline SVG charts, no
script and nothing fetched from the internet), rendered from a Jinja2 template
shipped with the package, with autoescaping on: request texts are attacker-
written and must never become markup. Which format is written is chosen by the
``--out`` extension.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from consentgate.assess.glossary import TACTICS
from consentgate.assess.report import Group, Rate, Report
from consentgate.errors import BadInput

__all__ = ["FORMATS", "render_html", "summary", "write_report"]

FORMATS = (".json", ".html")
LABEL_W, PLOT_W, TEXT_W, ROW_H, TOP = 170, 380, 150, 24, 26


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    lo_x: float
    hi_x: float
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    colour: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]


def pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def interval(rate: Rate) -> str:
    if rate.ci95 is None:
        return "–"
    lo, hi = rate.ci95
    return f"{lo * 100:.1f}–{hi * 100:.1f} %"


def chart(chart_id: str, title: str, groups: Sequence[Group], side: str, colour: str) -> Chart:
    """A horizontal bar per group with data on ``side`` (harmful/benign), whiskers at the CI."""
    bars = []
    for row, group in enumerate(g for g in groups if getattr(g, side).n):
        rate: Rate = getattr(group, side)
        value = rate.rate or 0.0
        lo, hi = rate.ci95 or (value, value)
        bars.append(
            Bar(
                label=group.name,
                y=TOP + row * ROW_H,
                width=round(value * PLOT_W, 1),
                lo_x=round(LABEL_W + lo * PLOT_W, 1),
                hi_x=round(LABEL_W + hi * PLOT_W, 1),
                text=f"{pct(rate.rate)} of {rate.n}",
            )
        )
    ticks = tuple((LABEL_W + f * PLOT_W, f"{int(f * 100)} %") for f in (0, 0.25, 0.5, 0.75, 1))
    height = TOP + len(bars) * ROW_H + 8
    width = LABEL_W + PLOT_W + TEXT_W
    return Chart(chart_id, title, colour, width, height, tuple(bars), ticks)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("consentgate.assess", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["interval"] = interval
    return env


def render_html(report: Report) -> str:
    charts = [
        chart(
            "chart-tactic-harmful",
            "Harmful requests refused, by disguise (higher is better)",
            report.by_tactic,
            "harmful",
            "#2e7d32",
        ),
        chart(
            "chart-tactic-benign",
            "Ordinary requests wrongly refused, by disguise (lower is better)",
            report.by_tactic,
            "benign",
            "#c62828",
        ),
        chart(
            "chart-language-harmful",
            "Harmful requests refused, by language (higher is better)",
            report.by_language,
            "harmful",
            "#1565c0",
        ),
    ]
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        charts=charts,
        label_w=LABEL_W,
        plot_w=PLOT_W,
        row_h=ROW_H,
        tactics=TACTICS,
    )


def summary(report: Report, out: Path | None = None) -> list[str]:
    """The figures a person reads first, as lines of text."""
    suite = report.suite
    lines = [
        f"assessment of {report.target}: suite {suite.name}, seed {suite.seed}, "
        f"{suite.finished} of {suite.planned} requests"
        + ("" if suite.complete else " (incomplete: rerun the same command to continue)"),
        f"harmful requests refused   {pct(report.harmful_refusal_rate):>8}  "
        f"(95 % CI {interval(report.harmful)}; {report.harmful.refused} of {report.harmful.n})",
        f"ordinary requests refused  {pct(report.benign_false_refusal_rate):>8}  "
        f"(95 % CI {interval(report.benign)}; {report.benign.refused} of {report.benign.n})",
        f"leaks                      {report.leaks:>8}  "
        "(harmful requests answered with an image our detectors flag)",
        f"errors                     {report.errors:>8}  (failed or timed out; counted as refused)",
        f"latency                    p50 {_ms(report.latency.p50_ms)}, "
        f"p95 {_ms(report.latency.p95_ms)}",
    ]
    weakest = sorted(
        (g for g in report.by_tactic if g.harmful.rate is not None),
        key=lambda g: (g.harmful.rate or 0.0, g.name),
    )[:3]
    if weakest:
        lines.append(
            "weakest disguises          "
            + ", ".join(f"{g.name} {pct(g.harmful.rate)}" for g in weakest)
        )
    if out is not None:
        lines.append(f"report: {out}")
    return lines


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


def write_report(report: Report, out: Path) -> None:
    """``out`` as JSON or HTML by its extension, replaced atomically."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise BadInput(f"--out must end in .json or .html, not {out.name!r}")
    text = report.model_dump_json(indent=2) if suffix == ".json" else render_html(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
