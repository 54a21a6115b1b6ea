"""Signed checkpoints of the audit chain's head, for a witness outside the store.

A checkpoint says "the chain had ``events`` events and its last hash was
``head``", signed with the audit signing key (``consentgate.audit.signing``).
Whoever keeps it (a compliance officer's mailbox, a regulator, another
system) can later ask whether the log still *extends* it: the events 1 to
``events`` recompute, from genesis, to exactly that head. Editing, inserting or
deleting any of them changes that hash, and recomputing every later hash does
not help, because the witness's copy of the head is out of the attacker's reach
and its signature cannot be forged without the key.

The signature covers the canonical JSON (``consentgate.audit.chain.canonical``)
of every field but ``signature``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pydantic import ValidationError
from sqlalchemy import Connection, select

from consentgate.audit import chain
from consentgate.audit.signing import encode_public, public_key_of
from consentgate.errors import BadInput
from consentgate.records import Record
from consentgate.store.cases_tables import audit_events

ALGORITHM = "ed25519/sha256-chain-v1"


class Checkpoint(Record):
    """A signed statement of the chain's length and head at one instant."""

    algorithm: str
    events: int
    head: str
    last_seq: int
    last_at: str | None
    time: str
    public_key: str
    signature: str

    def signed_bytes(self) -> bytes:
        return chain.canonical(self.model_dump(exclude={"signature"}))

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), indent=2, sort_keys=True) + "\n"


def take(conn: Connection, key: Ed25519PrivateKey, now: datetime) -> Checkpoint:
    """Verify the whole chain, then sign its head (a broken chain is never signed)."""
    verified = chain.verify(conn)
    last = conn.execute(
        select(audit_events.c.at).where(audit_events.c.seq == verified.events)
    ).first()
    unsigned = Checkpoint(
        algorithm=ALGORITHM,
        events=verified.events,
        head=verified.head,
        last_seq=verified.events,
        last_at=chain.instant(last.at) if last is not None else None,
        time=chain.instant(now),
        public_key=encode_public(key.public_key()),
        signature="",
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode("ascii")
    return unsigned.model_copy(update={"signature": signature})


def parse(text: str) -> Checkpoint:
    try:
        return Checkpoint.model_validate_json(text)
    except ValidationError:
        raise BadInput("not an audit checkpoint (see `consentgate audit checkpoint`)") from None


def check_signature(checkpoint: Checkpoint, trusted: Ed25519PublicKey | None) -> None:
    """Raise ChainBroken unless the checkpoint is signed by ``trusted`` (or its own key).

    Without a trusted key only the checkpoint's own key is checked, which proves
    the file was not altered, not who signed it: pin the key with ``--public-key``.
    """
    if checkpoint.algorithm != ALGORITHM:
        raise chain.ChainBroken(f"unknown checkpoint algorithm {checkpoint.algorithm!r}")
    key = public_key_of(checkpoint.public_key)
    if trusted is not None and encode_public(trusted) != checkpoint.public_key:
        raise chain.ChainBroken("the checkpoint is signed by another key than the trusted one")
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        raise chain.ChainBroken("the checkpoint's signature does not verify") from None


def extends(conn: Connection, checkpoint: Checkpoint) -> chain.Verified:
    """Raise ChainBroken unless events 1..``checkpoint.events`` recompute to its head."""
    prefix = chain.verify_events(chain.stored_rows(conn, upto=checkpoint.events))
    if prefix.events < checkpoint.events:
        raise chain.ChainBroken(
            f"the log no longer holds event {checkpoint.events} of the checkpoint "
            f"(it ends at event {prefix.events}): events were removed"
        )
    if prefix.head != checkpoint.head:
        raise chain.ChainBroken(
            f"the log does not extend the checkpoint: event {checkpoint.events} now hashes to "
            f"{prefix.head}, the checkpoint says {checkpoint.head}; history before it was rewritten"
        )
    return prefix
