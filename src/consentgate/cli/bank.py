"""``consentgate bank``: create banks, import and export lists, add and withdraw entries.

The bank service judges every value given here and raises BadInput naming the
field; the CLI's one error edge (``cli.main``) prints it on one line and exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from consentgate.banks.formats import Format, ImportFailed
from consentgate.banks.records import PDQ_MAX_THRESHOLD, BankEntry, BankKind
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table, stderr
from consentgate.errors import BadInput
from consentgate.hashing.image import hash_file
from consentgate.images.limits import ImageLimits

FORMATS = click.Choice([f.value for f in Format])


@click.group()
def bank() -> None:
    """Hash banks (NCII, CSAM, takedown, consent, negative, custom) and their entries."""


@bank.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in BankKind]), required=True)
@click.option(
    "--threshold",
    type=click.IntRange(0, PDQ_MAX_THRESHOLD),
    default=PDQ_MAX_THRESHOLD,
    show_default=True,
    help="Largest PDQ distance that matches.",
)
@click.option("--description", default="")
@click.option("--disabled", is_flag=True, help="Create it switched off.")
@click.option("--flood-max", type=click.IntRange(1), help="Matches per window that quarantine.")
@click.option("--flood-window", type=click.IntRange(1), default=60, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def create(
    name: str,
    kind: str,
    threshold: int,
    description: str,
    disabled: bool,
    flood_max: int | None,
    flood_window: int,
    as_json: bool,
) -> None:
    """Create bank NAME of a KIND."""
    created = (
        app_context()
        .banks()
        .service.create_bank(
            name,
            kind,
            threshold=threshold,
            enabled=not disabled,
            description=description,
            flood_max_matches=flood_max,
            flood_window_s=flood_window,
        )
    )
    if as_json:
        print_json(created)
    else:
        click.echo(f"created bank {created.name} ({created.kind.value}, threshold {threshold})")


@bank.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """List banks with their kind, threshold and active entries."""
    banks = app_context().banks().service.list_banks()
    if as_json:
        print_json(banks)
        return
    rows = [
        [b.name, b.kind.value, b.threshold, "yes" if b.enabled else "no", b.active_entries]
        for b in banks
    ]
    print_table("banks", ("name", "kind", "threshold", "enabled", "active entries"), rows)


@bank.command("update")
@click.argument("name")
@click.option("--enable/--disable", "enabled", default=None)
@click.option("--threshold", type=click.IntRange(0, PDQ_MAX_THRESHOLD))
@click.option("--description")
@click.option("--json", "as_json", is_flag=True, help="Print the bank record as JSON.")
def update(
    name: str,
    enabled: bool | None,
    threshold: int | None,
    description: str | None,
    as_json: bool,
) -> None:
    """Switch a bank on or off, or change its threshold (live within a second)."""
    b = (
        app_context()
        .banks()
        .service.update_bank(name, enabled=enabled, threshold=threshold, description=description)
    )
    if as_json:
        print_json(b)
        return
    click.echo(f"bank {b.name}: enabled={b.enabled} threshold={b.threshold}")


@bank.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=FORMATS, help="Default: from the extension and content.")
@click.option("--source", default="", help="Where the list came from (default: file name).")
@click.option("--by", "added_by", default="", help="Who is adding it.")
@click.option("--no-retro", is_flag=True, help="Skip matching already-screened content.")
@click.option("--json", "as_json", is_flag=True)
def import_(
    name: str,
    file: Path,
    fmt: str | None,
    source: str,
    added_by: str,
    no_retro: bool,
    as_json: bool,
) -> None:
    """Import FILE into bank NAME: all lines, or (on any bad line) none."""
    try:
        result = (
            app_context()
            .banks()
            .service.import_file(
                name, file, fmt=fmt, source=source, added_by=added_by, retro=not no_retro
            )
        )
    except ImportFailed as exc:
        for problem in exc.problems:
            stderr.print(f"{file}:{problem.line}: {problem.message}", markup=False)
        stderr.print(f"{len(exc.problems)} bad line(s); nothing imported", markup=False)
        sys.exit(1)
    if as_json:
        print_json(result)
    else:
        click.echo(
            f"imported {result.added} entries into {result.bank} ({result.format}); "
            f"{len(result.findings)} retro-match finding(s)"
        )


@bank.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=FORMATS, default=Format.PLAIN.value, show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-")
def export(name: str, fmt: str, output: IO[str]) -> None:
    """Write bank NAME's active entries."""
    for chunk in app_context().banks().service.export(name, fmt):
        output.write(chunk)


@bank.command("add")
@click.argument("name")
@click.option("--pdq", help="PDQ hash (64 hex digits), e.g. hashed on the person's device.")
@click.option("--quality", type=click.IntRange(0, 100), help="PDQ quality, if known.")
@click.option("--md5", help="MD5 of the file (32 hex digits).")
@click.option("--image", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--external-id", help="The id this hash has at its source (case number, ...).")
@click.option("--source", default="")
@click.option("--by", "added_by", default="")
@click.option("--note", default="")
@click.option("--json", "as_json", is_flag=True)
def add(
    name: str,
    pdq: str | None,
    quality: int | None,
    md5: str | None,
    image: Path | None,
    external_id: str | None,
    source: str,
    added_by: str,
    note: str,
    as_json: bool,
) -> None:
    """Add one entry: hashes only (--pdq/--md5), or --image hashed here (the image is not kept)."""
    if image is not None:
        if pdq or md5:
            raise click.UsageError("give --image or hashes, not both")
        hashes = hash_file(image, limits=ImageLimits.from_settings(app_context().settings))
        pdq, quality, md5 = hashes.pdq, hashes.quality, hashes.md5
    if not pdq and not md5:
        raise click.UsageError("give --pdq and/or --md5, or --image")
    result = (
        app_context()
        .banks()
        .service.add_entry(
            name,
            pdq=pdq,
            md5=md5,
            pdq_quality=quality,
            source=source,
            external_id=external_id,
            added_by=added_by,
            note=note,
        )
    )
    if as_json:
        print_json(result)
    else:
        click.echo(
            f"added entry {result.entry.id} to {result.entry.bank}; "
            f"{len(result.findings)} retro-match finding(s)"
        )


@bank.command("withdraw")
@click.argument("entry_ids", nargs=-1, required=True, type=int)
@click.option("--reason", default="withdrawn")
@click.option("--delete", is_flag=True, help="Also wipe the hashes from the store.")
@click.option("--json", "as_json", is_flag=True, help="Print the entry records as JSON.")
def withdraw(entry_ids: tuple[int, ...], reason: str, delete: bool, as_json: bool) -> None:
    """Stop entries matching (at once, in every worker within a second)."""
    service = app_context().banks().service
    for i in entry_ids:  # every id is checked before any entry changes
        service.get_entry(i)
    entries = [service.withdraw(i, reason=reason, delete=delete) for i in entry_ids]
    _print_entries(entries, as_json)


def _print_entries(entries: list[BankEntry], as_json: bool) -> None:
    if as_json:
        print_json(entries)
        return
    for entry in entries:
        click.echo(f"entry {entry.id} in {entry.bank}: {entry.status.value}")


@bank.command("reinstate")
@click.argument("entry_ids", nargs=-1, required=True, type=int)
@click.option("--reason", default="reviewed")
@click.option("--json", "as_json", is_flag=True, help="Print the entry records as JSON.")
def reinstate(entry_ids: tuple[int, ...], reason: str, as_json: bool) -> None:
    """Make quarantined or withdrawn entries match again after review."""
    service = app_context().banks().service
    for i in entry_ids:  # every id is checked before any entry changes
        service.get_entry(i)
    _print_entries([service.reinstate(i, reason=reason) for i in entry_ids], as_json)


@bank.command("findings")
@click.option("--bank", "bank_name", help="Only this bank.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def findings(bank_name: str | None, limit: int, as_json: bool) -> None:
    """Retro-match findings: screened content that matched entries added later."""
    found = app_context().banks().service.findings(bank=bank_name, limit=limit)
    if as_json:
        print_json(found)
        return
    rows = [
        [f.id, f.bank, f.entry_id, f.decision_id, f.target, f.hash_type, f.distance] for f in found
    ]
    columns = ("id", "bank", "entry", "decision", "target", "hash", "distance")
    print_table("retro-match findings", columns, rows)


@bank.command("alerts")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--after", "after_id", type=click.IntRange(0, 2**63 - 1), default=0)
@click.option("--json", "as_json", is_flag=True)
def alerts(limit: int, after_id: int, as_json: bool) -> None:
    """Flood alerts on ncii, csam, consent and takedown entries (which keep matching)."""
    found = app_context().banks().alerts.list(limit=limit, after_id=after_id)
    if as_json:
        print_json(found)
        return
    rows = [
        [a.id, a.raised_at.isoformat(timespec="seconds"), a.bank, a.bank_kind, a.entry_id, a.reason]
        for a in found
    ]
    print_table("bank alerts", ("id", "raised", "bank", "kind", "entry", "reason"), rows)


@bank.command("snapshot")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), required=False)
def snapshot(directory: Path | None) -> None:
    """Write the hash-index snapshot workers load at start (default CONSENTGATE_BANK_INDEX_DIR)."""
    ctx = app_context()
    target = directory or ctx.settings.bank_index_dir
    if target is None:
        raise click.UsageError("give DIRECTORY or set CONSENTGATE_BANK_INDEX_DIR")
    matcher = ctx.banks().matcher
    matcher.ensure_loaded()
    try:
        matcher.save_snapshot(target)
    except OSError as exc:
        why = exc.strerror or "cannot be written"
        raise BadInput(f"directory {target}: {why}", field="directory") from None
    pdq, md5 = matcher.size
    click.echo(f"wrote {target}: {pdq} PDQ and {md5} MD5 entries")
