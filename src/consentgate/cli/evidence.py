"""``consentgate evidence``: list, open, hold, purge and re-key sealed child-safety evidence.

``--actor`` names an active user whose role may open evidence (compliance or
admin). Opening evidence writes an ``evidence_viewed`` event (who, why) in the same
transaction that decrypts it, once the bytes are in the file named on the
command line (never the terminal): the file is created first, exclusively and
without following links, so a view that could not be written is never logged.
Every command first checks that the configured key opens the newest sealed
item (exit 2 otherwise), as ``serve`` does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.evidence_rekey import rekey as rekey_all
from consentgate.cli.cases import now_option
from consentgate.cli.context import app_context
from consentgate.cli.files import create_private, write_synced
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput, ConsentGateError


def _vault(now: datetime | None = None, *, old_keys: Sequence[bytes] = ()) -> EvidenceVault:
    vault = app_context().case_system(now).vault
    assert vault is not None  # build_cases always makes one; it may have no key
    if old_keys:
        vault = EvidenceVault(
            vault.db, vault.cases, vault.keys.current,
            retention_days=vault.retention.days, old_keys=[*vault.keys.earlier, *old_keys],
        )  # fmt: skip
    vault.check_key()
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
    vault = _vault()
    who = app_context().actor(actor)
    handle = create_private(output, what="evidence")
    try:
        with handle:
            record, _ = vault.view(
                evidence_id,
                actor=who,
                reason=reason,
                deliver=lambda data: write_synced(handle, data, what="the evidence"),
            )
    except BaseException:
        output.unlink(missing_ok=True)
        raise
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


@evidence.command("rekey")
@click.option(
    "--old-key",
    "old_keys",
    multiple=True,
    help="An earlier key (base64 of 32 bytes) that sealed some items; repeatable.",
)
@click.option(
    "--old-key-file",
    "old_key_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A file holding an earlier key (base64); repeatable.",
)
@click.option("--actor", required=True, help="The user who re-keys (compliance or admin).")
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Items re-sealed per transaction.",
)
def rekey(
    old_keys: tuple[str, ...], old_key_files: tuple[Path, ...], actor: str, batch: int
) -> None:
    """Re-seal every item under CONSENTGATE_EVIDENCE_KEY (resumable; progress on stderr).

    Earlier keys come from --old-key, --old-key-file and CONSENTGATE_EVIDENCE_OLD_KEYS.
    Exits 1 when some item opened with none of them (each is an audit event).
    """
    given = [*old_keys, *(p.read_text(encoding="ascii").strip() for p in old_key_files)]
    vault = _vault(old_keys=[_key(text) for text in given])
    done = rekey_all(
        vault,
        actor=app_context().actor(actor),
        batch=batch,
        progress=lambda n, bad: click.echo(f"re-sealed {n}, not opened {bad}", err=True),
    )
    current = vault.keys.current_id
    click.echo(f"re-sealed {done.resealed} piece(s) of evidence under key id {current}")
    if done.failed:
        raise RekeyIncomplete(
            f"{len(done.failed)} piece(s) opened with no given key: {', '.join(done.failed[:5])}"
        )


class RekeyIncomplete(ConsentGateError):
    exit_code = 1
    title = "Some evidence was not re-sealed"


def _key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BadInput("an old evidence key is base64 of exactly 32 bytes", field="old-key")
    return raw
