"""``consentgate detectors``: list installed detectors; ``--check`` the configured set."""

from __future__ import annotations

import click

from consentgate.banks.wiring import store_exists
from consentgate.cases.evidence_status import OFF_WARNING, EvidenceState, check_evidence
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.detectors.registry import installed_detectors
from consentgate.engine import ScreeningEngine


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Build the configured detector set as `serve` would: exit 2 when a detector that is "
    "on cannot run (or the evidence key does not open the newest sealed item), else say which "
    "are off, which protections that leaves uncovered, and whether evidence is kept.",
)
def detectors(as_json: bool, check: bool) -> None:
    """List the installed detectors (built-in and plug-in), with versions."""
    found = installed_detectors()
    if check:
        _check(as_json)
        return
    if as_json:
        print_json(
            [
                {
                    "name": d.name,
                    "version": d.version,
                    "targets": list(d.targets),
                    "distribution": d.distribution,
                    "available": d.unavailable is None,
                    "unavailable_reason": d.unavailable,
                    "description": d.description,
                }
                for d in found
            ]
        )
        return
    print_table(
        "Installed detectors",
        ["name", "version", "targets", "package", "status"],
        [
            (
                d.name,
                d.version,
                ", ".join(d.targets),
                d.distribution,
                "ok" if d.unavailable is None else f"unavailable: {d.unavailable}",
            )
            for d in found
        ],
    )


def _check(as_json: bool) -> None:
    """Raises ConfigError (exit 2) exactly where ``serve`` would refuse to start."""
    engine = ScreeningEngine.build(app_context().settings)
    try:
        running = engine.registry.names()
        off = dict(engine.registry.turned_off)
        gaps = [f"{gap.target.value}: {gap.protection}" for gap in engine.protections_off()]
    finally:
        engine.close()
    evidence = _evidence()
    if as_json:
        print_json(
            {"running": running, "turned_off": off, "protections_off": gaps, "evidence": evidence}
        )
        return
    rows = [(name, "on") for name in running] + [(n, f"off: {how}") for n, how in off.items()]
    print_table("Configured detectors", ["name", "state"], sorted(rows))
    if gaps:
        click.echo("Protections off (requests that need them go to review, R9): " + "; ".join(gaps))
    else:
        click.echo("Every protection the policy relies on has a running detector.")
    click.echo(OFF_WARNING if evidence == "off" else "evidence: on")


def _evidence() -> EvidenceState:
    """``on``/``off`` as /readyz says it; a key that does not open the newest item exits 2."""
    context = app_context()
    if context.settings.evidence_key is None:
        return "off"
    if store_exists(context.settings.database_url):
        check_evidence(context.case_system().vault)
    return "on"
