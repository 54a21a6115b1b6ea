"""The audit signing key: an Ed25519 key the store never holds.

Why outside the store: the hash chain alone proves nothing against whoever can
write the database, who may rewrite an event and recompute every later hash
and the head. A checkpoint signed with a key the database does not hold, and
kept by a witness, pins the head: no rewrite before it verifies again.

The key comes from ``CONSENTGATE_AUDIT_SIGNING_KEY`` (base64 of the 32-byte
seed) or ``CONSENTGATE_AUDIT_SIGNING_KEY_FILE`` (PEM PKCS#8, 32 raw bytes, or
base64 of them). Public keys are written and read as base64 of their 32 raw
bytes, or as a PEM file.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from consentgate.errors import ConfigError
from consentgate.settings import Settings


def private_key_of(data: bytes) -> Ed25519PrivateKey:
    """A private key from PEM, 32 raw bytes or base64 of them; ConfigError otherwise."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text, password=None)
        except ValueError:
            raise ConfigError("the audit signing key file is not a readable PEM key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("the audit signing key must be an Ed25519 key")
        return key
    raw = data if len(data) == 32 else _b64(text)
    if raw is None or len(raw) != 32:
        raise ConfigError("the audit signing key must be a 32-byte Ed25519 seed (raw or base64)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_of(text: str) -> Ed25519PublicKey:
    """A public key from base64 of its 32 bytes, or from a PEM file's path."""
    path = Path(text)
    if not text.strip().startswith("-----BEGIN") and len(text) < 4096 and path.is_file():
        text = path.read_text(encoding="ascii", errors="replace")
    if text.strip().startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.strip().encode())
        except ValueError:
            raise ConfigError("the public key is not a readable PEM key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigError("the public key must be an Ed25519 key")
        return key
    raw = _b64(text.strip().encode())
    if raw is None or len(raw) != 32:
        raise ConfigError("a public key is base64 of 32 bytes, or a PEM file")
    return Ed25519PublicKey.from_public_bytes(raw)


def encode_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def encode_seed(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def signing_key(settings: Settings) -> Ed25519PrivateKey | None:
    """The configured signing key, or None when neither setting is given."""
    if settings.audit_signing_key is not None:
        return private_key_of(settings.audit_signing_key.get_secret_value().encode())
    if settings.audit_signing_key_file is not None:
        try:
            data = settings.audit_signing_key_file.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the audit signing key file: {exc.strerror}") from None
        return private_key_of(data)
    return None


def _b64(text: bytes) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
