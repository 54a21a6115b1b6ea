"""``consentgate report``: a transparency report for a period, as JSON, EU template CSVs or HTML.

``--from`` and ``--to`` take dates (the last day is included: ``--to
2026-12-31`` runs to the end of 31 December, UTC) or ISO 8601 instants with a
zone (``--to`` then excludes it). The counts are made in the store's SQL (no
row cap); progress goes to stderr.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from consentgate.cli.context import app_context
from consentgate.cli.files import write_all, write_whole
from consentgate.errors import BadInput
from consentgate.reports.build import build_report
from consentgate.reports.eu_csv import PARTS, render
from consentgate.reports.html import render_html
from consentgate.reports.period import period_of


@click.command("report")
@click.option("--from", "start", required=True, help="First day (YYYY-MM-DD) or instant.")
@click.option("--to", "end", required=True, help="Last day (included) or instant (excluded).")
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "csv", "html"]),
    default="json",
    show_default=True,
    help="json: every count; csv: the EU templates, one file per part; html: for people.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    help="The file (json, html; default: standard output) or the directory (csv; required).",
)
@click.option("--force", is_flag=True, help="Write over existing files.")
def report(start: str, end: str, form: str, out: Path | None, force: bool) -> None:
    """A transparency report (DSA Art. 15/24, Impl. Reg. 2024/2835; OSA s.77) for a period."""
    period = period_of(start, end)
    if form == "csv" and out is None:
        raise BadInput("--format csv writes one file per template part: give --out DIRECTORY")
    ctx = app_context()
    built = build_report(
        ctx.database(),
        period,
        ctx.settings,
        now=datetime.now(UTC),
        progress=lambda step: click.echo(f"counting {step}…", err=True),
    )
    if form == "csv":
        assert out is not None
        parts = ((f"{name}.csv", render(name, built).encode("utf-8")) for name in PARTS)
        write_all(out, parts, force=force)
        click.echo(f"wrote {len(PARTS)} template parts to {out}/", err=True)
        return
    text = built.model_dump_json(indent=2) + "\n" if form == "json" else render_html(built)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_whole(out, text.encode("utf-8"), force=force)
    click.echo(f"wrote the {form} report for {period.label} to {out}", err=True)
