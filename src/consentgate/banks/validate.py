"""Hash validation: one place decides what a PDQ or MD5 hash string may look like.

Exchanged lists contain malformed rows (a 32-character "PDQ" crashed HMA index
builds, ThreatExchange issue #1609), so every hash is checked and normalised to
lower-case hex before it reaches the store or the index.
"""

from __future__ import annotations

import re

from consentgate.errors import BadInput

_HEX = re.compile(r"^[0-9a-f]*$")


def _hex(value: str, length: int, kind: str) -> str:
    text = value.strip().lower()
    field = kind.lower()
    if not _HEX.fullmatch(text):
        raise BadInput(f"{kind} hash {value.strip()[:80]!r} is not hexadecimal", field=field)
    if len(text) != length:
        raise BadInput(f"{kind} hash has {len(text)} hex digits; it needs {length}", field=field)
    return text


def pdq_hex(value: str) -> str:
    """A 256-bit PDQ hash as 64 lower-case hex digits, or BadInput."""
    return _hex(value, 64, "PDQ")


def md5_hex(value: str) -> str:
    """An MD5 digest as 32 lower-case hex digits, or BadInput."""
    return _hex(value, 32, "MD5")


def quality(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        q = int(value)
    except ValueError:
        shown = str(value).strip()[:40]
        raise BadInput(f"quality {shown!r} is not a whole number", field="quality") from None
    if not 0 <= q <= 100:
        raise BadInput(f"quality {q} is outside 0..100", field="quality")
    return q


def classify(value: str) -> str:
    """A bare hash's type by length: 'pdq' (64 hex digits) or 'md5' (32), else BadInput."""
    text = value.strip().lower()
    shown = value.strip()[:80]
    if not _HEX.fullmatch(text):
        raise BadInput(f"{shown!r} is not hexadecimal")
    if len(text) == 64:
        return "pdq"
    if len(text) == 32:
        return "md5"
    raise BadInput(f"{shown!r} has {len(text)} hex digits: neither a PDQ hash (64) nor an MD5 (32)")
