"""The narrow interface through which the hash-match detector reaches the banks.

Defined here, at the detector layer, so that detectors depend on an interface
and never on the store or the index implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from consentgate.records import Record


class BankHit(Record):
    """One bank entry within its bank's distance threshold of a query."""

    bank: str
    bank_kind: str
    entry: str
    distance: int
    hash_type: str  # "pdq" or "md5"


class HashLookup(Protocol):
    def lookup(
        self,
        *,
        pdq: str | None,
        pdq_quality: int,
        md5: str,
        pdq_variants: Sequence[str] = (),
        client: str | None = None,
    ) -> Sequence[BankHit]:
        """Matches of one image's hashes across every enabled bank.

        ``pdq_variants`` are further PDQ hashes of the same image (its rotations
        and mirror images); a hit on any of them counts, at its own distance.
        ``client`` names who sent the image (an API key id), for flood counting.
        """
        ...
