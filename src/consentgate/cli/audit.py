"""``consentgate audit``: verify the audit hash chain and export it for a third party.

``verify`` exits 0 when every link holds and 1 naming the first bad event
(``ChainBroken``). ``export`` writes JSON lines that anyone can re-verify with
the algorithm in ``consentgate.audit.chain`` (see docs/cases.md).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from consentgate.audit import chain
from consentgate.audit.export import export_lines, verify_export
from consentgate.cli.cases import INSTANT
from consentgate.cli.context import app_context


@click.group()
def audit() -> None:
    """The audit chain of every case event and bank change: verify, export."""


@audit.command("verify")
@click.option(
    "--export",
    "export_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Verify an export file (a segment of the chain) instead of the store.",
)
def verify(export_file: Path | None) -> None:
    """Check every link of the chain; exit 1 naming the first bad event."""
    if export_file is not None:
        with export_file.open(encoding="utf-8") as lines:
            segment = verify_export(lines)
        if segment.events == 0:
            click.echo("intact: 0 events")
            return
        start = "the start of the chain" if segment.from_genesis else f"{segment.prev_hash}"
        click.echo(
            f"intact: {segment.events} events, {segment.first_seq} to {segment.last_seq}, "
            f"linked to {start}, head {segment.head}"
        )
        return
    with app_context().database().read() as conn:
        verified = chain.verify(conn)
    click.echo(f"intact: {verified.events} events, head {verified.head}")


@audit.command("export")
@click.option("--from", "start", type=INSTANT, required=True, help="First instant (inclusive).")
@click.option("--to", "end", type=INSTANT, required=True, help="Last instant (exclusive).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to FILE (default: standard output).",
)
def export(start: datetime, end: datetime, output: Path | None) -> None:
    """Every event from --from up to --to as JSON lines, re-verifiable as a chain segment."""
    lines = export_lines(app_context().database(), start, end)
    if output is None:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
        return
    count = 0
    with output.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line)
            count += 1
    click.echo(f"exported {count} events to {output}", err=True)
