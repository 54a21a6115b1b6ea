"""``consentgate audit``: verify the audit chain, sign checkpoints of it, export it.

``verify`` exits 0 when every link holds and the ``cases`` table matches its
replayed events, and 1 naming the first bad event or the differing case and
field. With ``--checkpoint`` it also checks that the log still extends a signed
checkpoint kept by a witness: the only check a database writer who recomputes
every hash cannot pass (see docs/security.md). ``export`` writes JSON lines that
anyone can re-verify with the algorithm in ``consentgate.audit.chain``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from consentgate.audit import chain
from consentgate.audit import checkpoint as checkpoints
from consentgate.audit.export import export_lines, verify_export
from consentgate.audit.replay import ProjectionDiffers, replay
from consentgate.audit.signing import encode_public, encode_seed, public_key_of, signing_key
from consentgate.cli.cases import INSTANT
from consentgate.cli.context import app_context
from consentgate.errors import BadInput, ConfigError


@click.group()
def audit() -> None:
    """The audit chain of every case event and bank change: verify, checkpoint, export."""


@audit.command("verify")
@click.option(
    "--export",
    "export_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Verify an export file (a segment of the chain) instead of the store.",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Also check that the log still extends this signed checkpoint (`audit checkpoint`).",
)
@click.option(
    "--public-key",
    help="The key the checkpoint must be signed with: base64 or a PEM file "
    "(default: the configured signing key's, else the checkpoint's own).",
)
def verify(export_file: Path | None, checkpoint_file: Path | None, public_key: str | None) -> None:
    """Check every link and replay the cases; exit 1 naming the first bad event or case."""
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
    witnessed = _checkpoint(checkpoint_file, public_key) if checkpoint_file else None
    with app_context().database().read() as conn:
        verified = chain.verify(conn)
        if witnessed is not None:
            checkpoints.extends(conn, witnessed)
        replayed = replay(conn)
    if witnessed is not None:
        click.echo(
            f"extends the checkpoint of {witnessed.time}: event {witnessed.events} "
            f"has head {witnessed.head}",
            err=True,
        )
    if replayed.mismatches:
        for mismatch in replayed.mismatches:
            click.echo(f"differs: {mismatch}", err=True)
        raise ProjectionDiffers(
            f"{len(replayed.mismatches)} field(s) of the cases table differ from the events; "
            f"first: {replayed.mismatches[0]}"
        )
    click.echo(f"cases: {replayed.cases} match their replayed events", err=True)
    click.echo(f"intact: {verified.events} events, head {verified.head}")


def _checkpoint(path: Path, public_key: str | None) -> checkpoints.Checkpoint:
    witnessed = checkpoints.parse(path.read_text(encoding="utf-8"))
    trusted: Ed25519PublicKey | None
    if public_key is not None:
        trusted = public_key_of(public_key)
    else:
        key = signing_key(app_context().settings)
        trusted = key.public_key() if key is not None else None
    if trusted is None:
        click.echo(
            "warning: no trusted public key (--public-key or a signing key): only the "
            "checkpoint's own key is checked",
            err=True,
        )
    checkpoints.check_signature(witnessed, trusted)
    return witnessed


@audit.command("checkpoint")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to FILE, which must not exist (default: standard output).",
)
def checkpoint(output: Path | None) -> None:
    """Sign the head of the verified chain, for a witness to keep outside the store."""
    key = signing_key(app_context().settings)
    if key is None:
        raise ConfigError(
            "no audit signing key: set CONSENTGATE_AUDIT_SIGNING_KEY or "
            "CONSENTGATE_AUDIT_SIGNING_KEY_FILE (`consentgate audit keygen` makes one)"
        )
    with app_context().database().read() as conn:
        signed = checkpoints.take(conn, key, datetime.now(UTC))
    if output is None:
        click.echo(signed.to_json(), nl=False)
        return
    _write_new(output, signed.to_json(), force=False)
    click.echo(f"checkpoint of {signed.events} events written to {output}", err=True)


@audit.command("keygen")
def keygen() -> None:
    """Print a new Ed25519 signing key (keep it outside the store) and its public key."""
    key = Ed25519PrivateKey.generate()
    click.echo(f"CONSENTGATE_AUDIT_SIGNING_KEY={encode_seed(key)}")
    click.echo(f"public key: {encode_public(key.public_key())}", err=True)


def _write_new(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path``; an existing file (or a link) is refused unless ``force``."""
    try:
        with path.open("w" if force else "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise BadInput(f"{path} exists: pass --force to write over it", field="output") from None


@audit.command("export")
@click.option("--from", "start", type=INSTANT, required=True, help="First instant (inclusive).")
@click.option("--to", "end", type=INSTANT, required=True, help="Last instant (exclusive).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to FILE (default: standard output); an existing FILE needs --force.",
)
@click.option("--force", is_flag=True, help="Write over an existing --output file.")
def export(start: datetime, end: datetime, output: Path | None, force: bool) -> None:
    """Every event from --from up to --to as JSON lines, re-verifiable as a chain segment."""
    lines = export_lines(app_context().database(), start, end)
    if output is None:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
        return
    count = 0
    try:
        out = output.open("w" if force else "x", encoding="utf-8")
    except FileExistsError:
        raise BadInput(f"{output} exists: pass --force to write over it", field="output") from None
    with out:
        for line in lines:
            out.write(line)
            count += 1
    click.echo(f"exported {count} events to {output}", err=True)
