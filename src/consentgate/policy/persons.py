"""Do two signals concern the same person? The rule behind ``same_person``.

Why this exists: a photo of a group can hold a child's face and, on someone
else, swimwear. Coupling "a minor somewhere" with "revealing somewhere" turned
ordinary group photos into child-safety escalations. A minor signal and a
sexual or revealing signal now combine only when they concern one person:

* a signal about the whole request (a caller's hint) concerns everyone in it;
* two prompt signals concern the same person (one text describes its subject);
  a prompt and an image are never paired here: rules that let a sexual prompt
  cover the person in the photo say so explicitly;
* two image signals must be about the same image (source or output): each
  image is read on its own, so the output's faces are aged too;
* on one image, a signal whose evidence carries no box (a whole-image score)
  could be about anyone, so it pairs with everything there (the safe side);
* otherwise the detectors' person indices (``Evidence.person``: the face a box
  was associated with, per frame) must meet; boxes that carry no person index
  on either side pair when they overlap.
"""

from __future__ import annotations

from consentgate.records import Box, Evidence, Signal, Target

_IMAGES = frozenset({Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})


def same_person(first: Signal, second: Signal) -> bool:
    if Target.REQUEST in (first.target, second.target):
        return True
    if first.target is Target.PROMPT and second.target is Target.PROMPT:
        return True
    if first.target not in _IMAGES or first.target is not second.target:
        return False
    boxed_first = [e for e in first.evidence if e.box is not None]
    boxed_second = [e for e in second.evidence if e.box is not None]
    if not boxed_first or not boxed_second:
        return True
    persons_first = _persons(boxed_first)
    persons_second = _persons(boxed_second)
    if persons_first and persons_second:
        return bool(persons_first & persons_second)
    return any(
        a.frame == b.frame and _overlap(a.box, b.box)
        for a in boxed_first
        for b in boxed_second
        if a.person is None and b.person is None and a.box is not None and b.box is not None
    )


def _persons(evidence: list[Evidence]) -> set[tuple[int | None, int]]:
    return {(e.frame, e.person) for e in evidence if e.person is not None}


def _overlap(a: Box, b: Box) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )
