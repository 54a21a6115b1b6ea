"""``consentgate match``: look up images or hashes in every enabled bank."""

from __future__ import annotations

from pathlib import Path

import click

from consentgate.banks import validate
from consentgate.banks.records import MatchResult
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput
from consentgate.images.files import read_image_file


def _match_one(query: str, dihedral: bool) -> MatchResult:
    service = app_context().banks().service
    path = Path(query)
    if path.is_file():
        data = read_image_file(path, service.image_limits)
        return service.match_image(data, query=query, dihedral=dihedral)
    kind = validate.classify(query)
    if kind == "pdq":
        return service.match(pdq=query, query=query)
    return service.match(md5=query, query=query)


@click.command("match")
@click.argument("queries", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option(
    "--no-dihedral", is_flag=True, help="Images: match only as given, not rotated or mirrored."
)
def match(queries: tuple[str, ...], as_json: bool, no_dihedral: bool) -> None:
    """Match each IMAGE file or HASH (PDQ: 64 hex digits, MD5: 32) against the banks.

    Prints every bank entry within its bank's distance threshold.
    """
    dihedral = app_context().settings.hash_dihedral and not no_dihedral
    results: list[MatchResult] = []
    for query in queries:
        try:
            results.append(_match_one(query, dihedral))
        except BadInput as exc:
            raise BadInput(f"{query[:80]}: {exc.message}") from None
    if as_json:
        print_json(
            [
                {
                    "query": r.query,
                    "matches": [
                        {"bank": m.bank, "entry": m.entry, "distance": m.distance}
                        for m in r.matches
                    ],
                }
                for r in results
            ]
        )
        return
    rows = [
        [r.query, m.bank, m.bank_kind, m.entry, m.hash_type, m.distance]
        for r in results
        for m in r.matches
    ]
    rows += [[r.query, "(no match)", "", "", "", ""] for r in results if not r.matches]
    print_table("matches", ("query", "bank", "kind", "entry", "hash", "distance"), rows)
