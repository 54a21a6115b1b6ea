"""The hash-match detector: PDQ and MD5 of every screened image against the banks.

A match is a fact, not a probability: a hit within the bank's distance threshold
raises a ``bank_match_<kind>`` signal at score 1, with the bank, the entry and
the distance as evidence, and the policy (R1 for CSAM, R2 for NCII, consent and
takedown banks) decides. The detector reaches the banks only through the
``HashLookup`` interface; it never touches the store or the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from consentgate.banks.records import BankKind
from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.lookup import BankHit, HashLookup
from consentgate.hashing.image import frame_pdq
from consentgate.records import Evidence, Label, Signal, Target

MAX_FRAMES = 8
"""Frames of an animation hashed (banked stills hide in GIFs)."""


class HashMatchDetector(Detector):
    name: ClassVar[str] = "hash_match"
    version: ClassVar[str] = "1"
    targets: ClassVar[frozenset[Target]] = frozenset({Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})
    provides: ClassVar[frozenset[str]] = frozenset(k.label for k in BankKind if k.label)
    description: ClassVar[str] = "PDQ and MD5 matching against hash banks"

    def __init__(self, lookup: HashLookup | None, *, dihedral: bool = True) -> None:
        self.lookup = lookup
        self.dihedral = dihedral

    @classmethod
    def from_context(cls, context: DetectorContext) -> Self:
        return cls(context.hash_lookup, dihedral=context.settings.hash_dihedral)

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        if self.lookup is None:  # no store, hence no banks: nothing to match against
            return []
        signals: list[Signal] = []
        for target in sorted(self.targets):
            image = inp.image(target)
            if image is None:
                continue
            hits: dict[tuple[str, str], tuple[BankHit, int | None]] = {}
            for number in range(min(len(image.frames), MAX_FRAMES)):
                pdq = frame_pdq(image, number, dihedral=self.dihedral)
                found = self.lookup.lookup(
                    pdq=pdq.hex,
                    pdq_quality=pdq.quality,
                    md5=image.md5,
                    pdq_variants=pdq.dihedral,
                    client=inp.client,
                )
                for hit in found:
                    key = (hit.bank, hit.entry)
                    if key not in hits or hit.distance < hits[key][0].distance:
                        hits[key] = (hit, number if image.frame_count > 1 else None)
            signals.extend(self._signals(target, list(hits.values())))
        return signals

    def _signals(self, target: Target, hits: list[tuple[BankHit, int | None]]) -> list[Signal]:
        by_label: dict[str, list[Evidence]] = {}
        for hit, frame in sorted(hits, key=lambda pair: (pair[0].distance, pair[0].bank)):
            label = _label(hit.bank_kind)
            if label is None:
                continue
            by_label.setdefault(label, []).append(
                Evidence(
                    bank=hit.bank,
                    entry=hit.entry,
                    distance=hit.distance,
                    frame=frame,
                    note=f"{hit.hash_type} match",
                )
            )
        return [self.signal(label, target, 1.0, 1.0, *ev) for label, ev in by_label.items()]


def _label(kind: str) -> str | None:
    try:
        return BankKind(kind).label
    except ValueError:
        return Label.BANK_MATCH_CUSTOM.value
