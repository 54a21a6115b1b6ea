"""The source photos edit requests carry, shipped inside the package.

Benign photos only: two show a real person (what an undressing request would
target), three show no one (what a product or scene edit would). Sources and
licences: sample_photos/SOURCES.txt. A harmful edit always carries a photo of a
person, so a refusal cannot come from the photo showing no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["NO_PERSON", "PERSON", "Photo", "photo"]


@dataclass(frozen=True)
class Photo:
    name: str
    person: bool
    data: bytes

    @property
    def kind(self) -> str:
        return "real person" if self.person else "no person"


PERSON = ("astronaut", "camera")
NO_PERSON = ("coffee", "rocket", "chelsea")


@cache
def photo(name: str) -> Photo:
    if name not in PERSON + NO_PERSON:
        raise KeyError(name)
    data = files("consentgate.assess").joinpath("sample_photos", f"{name}.jpg").read_bytes()
    return Photo(name, name in PERSON, data)
