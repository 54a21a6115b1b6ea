"""``consentgate schema``: print the JSON Schema of a record."""

from __future__ import annotations

import click
from pydantic import BaseModel

from consentgate.cli.output import print_json
from consentgate.records import Decision, Reason, ScreenRequest, Signal

RECORDS: dict[str, type[BaseModel]] = {
    "request": ScreenRequest,
    "signal": Signal,
    "reason": Reason,
    "decision": Decision,
}


@click.command()
@click.argument("record", type=click.Choice(sorted(RECORDS)), default="decision")
def schema(record: str) -> None:
    """Print the JSON Schema of RECORD (request, signal, reason or decision)."""
    print_json(RECORDS[record].model_json_schema(mode="serialization"))
