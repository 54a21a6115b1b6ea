"""Coverage: which readings of each part of a request the policy relies on.

Why: the rules are written over signal labels, and a rule whose labels no
detector can produce never fires. A missing model file, a detector left out
by ``CONSENTGATE_DETECTORS`` or a plug-in that replaces a built-in would then
turn "block" into a silent "allow" (R0) with nothing in the decision to show
it. So the policy names, per part of a request, the protections it relies on
(each a set of labels, any one of which counts), and every screen checks that
each part present was read by at least one running detector that can produce
one of those labels. A gap is recorded as a ``missing`` failure naming the part
and the protection, which the default policy's R9 turns into ``review``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import Field

from consentgate.records import (
    DetectorFailure,
    DetectorFailureKind,
    LabelName,
    Record,
    Target,
)

COVERAGE_CHECK = "coverage"
COVERAGE_VERSION = "1"

#: The parts of a request that detectors read (``request`` is the caller's hints).
READ_TARGETS = (Target.PROMPT, Target.HISTORY, Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE)


class Protection(Record):
    """One reading the policy relies on for some parts of a request."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    description: str = Field(min_length=1)
    targets: tuple[Target, ...] = Field(min_length=1)
    labels: tuple[LabelName, ...] = Field(min_length=1)


class CoverageGap(Record):
    """A part of a request with no running detector for a protection."""

    target: Target
    protection: str
    description: str

    def failure(self) -> DetectorFailure:
        return DetectorFailure(
            detector=COVERAGE_CHECK,
            detector_version=COVERAGE_VERSION,
            kind=DetectorFailureKind.MISSING,
            message=f"no detector read the {self.target.value.replace('_', ' ')} "
            f"for {self.description} ({self.protection})",
        )


def gaps(
    protections: Iterable[Protection], read: Mapping[Target, Iterable[str]]
) -> tuple[CoverageGap, ...]:
    """The protections not provided for each part of a request in ``read``.

    ``read`` maps each part present in a request to the labels that the
    detectors which read it can emit.
    """
    found: list[CoverageGap] = []
    for target, labels in read.items():
        available = set(labels)
        for protection in protections:
            if target in protection.targets and not available & set(protection.labels):
                found.append(
                    CoverageGap(
                        target=target,
                        protection=protection.id,
                        description=protection.description,
                    )
                )
    return tuple(found)
