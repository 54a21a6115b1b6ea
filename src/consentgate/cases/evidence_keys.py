"""Which key sealed which piece of evidence, so a wrong or missing key never fails silently.

Why key ids: evidence is kept a year or more, and keys are rotated. A service
started with a different key used to seal new evidence under it and leave the
older items unreadable, which nobody noticed until a report was due. Each
sealed item now carries the id of its key (the first 8 bytes of the key's
SHA-256, in hex: it names the key without revealing it), start-up refuses a key
that does not open the newest item, and ``consentgate evidence rekey`` re-seals
older items under the current key. Earlier keys
(``CONSENTGATE_EVIDENCE_OLD_KEYS``) are used only to open items sealed under them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def key_id(key: bytes) -> str:
    """The id stored with every item sealed under ``key``."""
    return hashlib.sha256(key).digest()[:8].hex()


class KeyUnknown(Exception):
    """No configured key has the id an item was sealed under (internal: the vault translates)."""


@dataclass(frozen=True)
class EvidenceKeys:
    """The current key (seals and opens) and earlier keys (open only), by key id."""

    current: bytes | None
    earlier: tuple[bytes, ...] = ()
    _aeads: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key in (self.current, *self.earlier):
            if key is not None and len(key) != 32:
                raise ValueError("an evidence key must be 32 bytes")
        keys = [*self.earlier, *([self.current] if self.current is not None else [])]
        object.__setattr__(self, "_aeads", {key_id(k): AESGCM(k) for k in keys})

    @classmethod
    def of(cls, current: bytes | None, earlier: Sequence[bytes] = ()) -> EvidenceKeys:
        return cls(current, tuple(k for k in earlier if k != current))

    @property
    def enabled(self) -> bool:
        return self.current is not None

    @property
    def current_id(self) -> str | None:
        return key_id(self.current) if self.current is not None else None

    def seal(self, nonce: bytes, data: bytes, aad: bytes) -> tuple[str, bytes]:
        """The current key's id and the ciphertext."""
        assert self.current is not None, "check `enabled` before sealing"
        return key_id(self.current), AESGCM(self.current).encrypt(nonce, data, aad)

    def open(self, sealed_by: str | None, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        """Decrypt with the key named by ``sealed_by`` (every key for items sealed before ids).

        Raises KeyUnknown when no configured key has that id, InvalidTag when the
        key is right but the bytes were altered (or, for an item without an id,
        when no key opens it).
        """
        if sealed_by is None:
            for aead in self._aeads.values():
                try:
                    return aead.decrypt(nonce, ciphertext, aad)
                except InvalidTag:
                    continue
            raise InvalidTag()
        named = self._aeads.get(sealed_by)
        if named is None:
            raise KeyUnknown(sealed_by)
        return named.decrypt(nonce, ciphertext, aad)
