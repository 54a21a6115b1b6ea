"""Negative banks: known false positives that suppress matches.

Rule: a positive match is suppressed when the query is at least as close to a
negative-bank entry as it is to the positive entry (the content is more like
the known-benign image than the banked one). CSAM matches are never suppressed
automatically: a false positive there is resolved by withdrawing the entry after
review, not by a list that anyone with bank access could extend.
"""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.banks.records import BankKind
from consentgate.detectors.lookup import BankHit


def apply_negative(hits: Sequence[BankHit]) -> tuple[list[BankHit], list[BankHit]]:
    """(kept, suppressed). Negative-bank hits themselves are never reported as matches."""
    negative = [h for h in hits if h.bank_kind == BankKind.NEGATIVE.value]
    positive = [h for h in hits if h.bank_kind != BankKind.NEGATIVE.value]
    if not negative:
        return positive, []
    closest = min(h.distance for h in negative)
    kept, suppressed = [], []
    for hit in positive:
        if hit.bank_kind != BankKind.CSAM.value and hit.distance >= closest:
            suppressed.append(hit)
        else:
            kept.append(hit)
    return kept, suppressed
