"""``consentgate evidence``: list, open, hold and purge sealed child-safety evidence.

``--actor`` names an active user whose role may open evidence (compliance or
admin). Opening evidence writes an ``evidence_viewed`` event (who, why) in the same
transaction that decrypts it; the bytes go to a file named on the command line,
never to the terminal.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from consentgate.cases.evidence import EvidenceVault
from consentgate.cli.cases import now_option
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput


def _vault(now: datetime | None = None) -> EvidenceVault:
    vault = app_context().case_system(now).vault
    assert vault is not None  # build_cases always makes one; it may have no key
    return vault


@click.group()
def evidence() -> None:
    """Child-safety evidence, sealed at rest (CONSENTGATE_EVIDENCE_KEY)."""


@evidence.command("list")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def list_(case_id: str, as_json: bool) -> None:
    """What is kept for a case (never the content itself)."""
    found = _vault().list(case_id)
    if as_json:
        print_json(found)
        return
    rows = [
        (e.id, e.media_type, e.sha256[:16], e.retain_until.isoformat(timespec="minutes"),
         "yes" if e.legal_hold else "", e.purged_at.isoformat() if e.purged_at else "")
        for e in found
    ]  # fmt: skip
    print_table(
        f"evidence of case {case_id}",
        ("id", "type", "sha256", "kept until", "hold", "purged"),
        rows,
    )


@evidence.command("view")
@click.argument("evidence_id")
@click.option("--actor", required=True, help="The user who opens it (compliance or admin).")
@click.option("--reason", required=True, help="Why (recorded), e.g. the report it is for.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
def view(evidence_id: str, actor: str, reason: str, output: Path) -> None:
    """Decrypt evidence into OUTPUT; the view is recorded in the audit chain."""
    if output.exists():
        raise BadInput(f"{output} exists: evidence is never written over a file", field="output")
    record, data = _vault().view(evidence_id, actor=app_context().actor(actor), reason=reason)
    with output.open("xb") as handle:  # only its owner may read it
        output.chmod(0o600)
        handle.write(data)
    click.echo(
        f"wrote {output} ({record.media_type}, sha256 {record.sha256}); the view is recorded"
    )


@evidence.command("hold")
@click.argument("evidence_id")
@click.option("--release", is_flag=True, help="Lift the hold instead.")
@click.option("--actor", required=True, help="The user who holds it (compliance or admin).")
@click.option("--reason", required=True)
def hold(evidence_id: str, release: bool, actor: str, reason: str) -> None:
    """Keep evidence past its retention (legal hold), or release it."""
    record = _vault().hold(
        evidence_id, on=not release, actor=app_context().actor(actor), reason=reason
    )
    click.echo(f"evidence {record.id}: legal hold {'on' if record.legal_hold else 'off'}")


@evidence.command("purge")
@now_option
def purge(now: datetime | None) -> None:
    """Drop the content of evidence past its retention and not on hold (run daily)."""
    count = _vault(now).purge(now)
    click.echo(f"purged {count} piece(s) of evidence")
