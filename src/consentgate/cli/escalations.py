"""``consentgate escalations``: child-safety reports for NCMEC and the NCA, and their references.

``export`` writes the report for one case (never its images, unless
``--include-evidence``) and records that in the audit chain; ``reference``
keeps the reference the agency returned (five years, CS-4) and extends the
case's evidence to a year after the report; ``list`` shows every child-safety
case and whether it still awaits a report. ``--actor`` names a user whose role
reports to agencies (compliance or admin).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from consentgate.cli.cases import INSTANT, case_id_arg, json_option
from consentgate.cli.context import app_context
from consentgate.cli.files import create_private, write_synced
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput
from consentgate.escalations.listing import list_escalations
from consentgate.escalations.records import Agency, ExportFormat, Priority
from consentgate.escalations.service import EscalationService

PRIORITY = click.Choice(["1", "2", "3"])


def _service() -> EscalationService:
    ctx = app_context()
    system = ctx.case_system()
    return EscalationService(ctx.database(), system.cases, system.vault, ctx.settings)


@click.group()
def escalations() -> None:
    """Child-safety reports to NCMEC (CyberTipline) and the UK National Crime Agency."""


@escalations.command("list")
@click.option("--due", is_flag=True, help="Only cases still awaiting a report.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
def list_(due: bool, limit: int, as_json: bool) -> None:
    """Child-safety cases (priority 1 first, then the oldest) and their agency references."""
    found = list_escalations(app_context().database(), due_only=due, limit=limit)
    if as_json:
        print_json(found)
        return
    rows = [
        (s.case_id, s.kind, s.state.value, s.received_at.isoformat(timespec="minutes"),
         int(s.priority), "yes" if s.awaiting_report else "",
         ", ".join(f"{r.agency.value} {r.reference}" for r in s.reports))
        for s in found
    ]  # fmt: skip
    print_table(
        "child-safety cases",
        ("case", "kind", "state", "received", "priority", "awaiting report", "references"),
        rows,
    )


@escalations.command("export")
@case_id_arg
@click.option(
    "--format",
    "form",
    type=click.Choice([f.value for f in ExportFormat]),
    required=True,
    help="ncmec-xml: the CyberTipline report; nca-json: the NCA report (S.I. 2026/268 Sch. 1).",
)
@click.option("--actor", required=True, help="The user who exports it (compliance or admin).")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A new file, readable by its owner only (default: standard output).",
)
@click.option(
    "--include-evidence",
    is_flag=True,
    help="Put the sealed images inside (needs --out; each opening is an audit event).",
)
@click.option("--priority", type=PRIORITY, help="The NCA priority (default: 1 for a threat to "
              "life, else 2).")  # fmt: skip
def export(
    case_id: str,
    form: str,
    actor: str,
    out: Path | None,
    include_evidence: bool,
    priority: str | None,
) -> None:
    """Export the report on CASE_ID for an agency; the export is an audit event."""
    service = _service()
    who = app_context().actor(actor)
    if include_evidence:
        if out is None:
            raise BadInput("--include-evidence writes images: give --out FILE", field="out")
        assert service.vault is not None
        service.vault.check_key()
    fmt = ExportFormat(form)
    level = None if priority is None else Priority(int(priority))
    if out is None:
        service.export(case_id, fmt, actor=who, priority=level, deliver=_to_stdout)
        return
    handle = create_private(out, what="a child-safety report")
    try:
        with handle:
            service.export(
                case_id, fmt, actor=who, include_evidence=include_evidence, priority=level,
                deliver=lambda body: write_synced(handle, body, what=str(out)),
            )  # fmt: skip
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    inside = " with the images inside" if include_evidence else ""
    click.echo(f"wrote the {fmt.agency.value} report on case {case_id}{inside} to {out}")


def _to_stdout(body: bytes) -> None:
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


@escalations.command("reference")
@case_id_arg
@click.argument("reference")
@click.option(
    "--agency", type=click.Choice([a.value for a in Agency]), required=True,
    help="Who returned it: ncmec (a CyberTipline report id) or nca.",
)  # fmt: skip
@click.option("--actor", required=True, help="The user who records it (compliance or admin).")
@click.option("--priority", type=PRIORITY, help="The priority the NCA report was sent with.")
@click.option("--at", "reported_at", type=INSTANT, help="When the agency received the report "
              "(default: now).")  # fmt: skip
def reference(
    case_id: str,
    reference: str,
    agency: str,
    actor: str,
    priority: str | None,
    reported_at: datetime | None,
) -> None:
    """Keep the REFERENCE an agency returned for its report on CASE_ID (kept five years)."""
    done = _service().record_reference(
        case_id,
        Agency(agency),
        reference,
        actor=app_context().actor(actor),
        priority=None if priority is None else Priority(int(priority)),
        reported_at=reported_at,
    )
    click.echo(
        f"case {case_id}: {done.agency.value} reference {done.reference} kept until "
        f"{done.retain_until.date().isoformat()}"
    )
