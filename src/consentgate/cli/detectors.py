"""``consentgate detectors``: list installed detectors with versions."""

from __future__ import annotations

import click

from consentgate.cli.output import print_json, print_table
from consentgate.detectors.registry import installed_detectors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def detectors(as_json: bool) -> None:
    """List the installed detectors (built-in and plug-in), with versions."""
    found = installed_detectors()
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
