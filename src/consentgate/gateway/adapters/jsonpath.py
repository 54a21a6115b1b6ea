"""Dotted paths into JSON documents, for the generic-json adapter's configuration.

A path is keys separated by dots, each optionally followed by list indices:
``prompt``, ``input.text``, ``output[0].images``, ``a.b[1][0]``. Nothing else:
no wildcards, filters or expressions, so a path in a configuration file means
one place and is read the same way by every reader. Keys with dots or
brackets in their names cannot be named (no image API we know has one).

Why not JSONPath or JMESPath: both only read; the adapter also writes (a
measuring client builds a request), and a path that means exactly one place
is what makes a missing field an error rather than an empty match (an
answer whose images we did not find must never pass unscreened).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from consentgate.errors import ConfigError

_STEP = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")

Step = str | int


class PathMissing(LookupError):
    """The document has nothing at the path (a key or an index is absent)."""


@dataclass(frozen=True)
class JsonPath:
    """One place in a JSON document."""

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        steps: list[Step] = []
        for part in text.split("."):
            found = _STEP.fullmatch(part)
            if found is None:
                raise ConfigError(f"{text!r} is not a path like 'input.images[0]'")
            steps.append(found.group(1))
            steps.extend(int(i) for i in _INDEX.findall(found.group(2)))
        return cls(text, tuple(steps))

    def get(self, document: Any) -> Any:
        """The value at the path; ``PathMissing`` when any step is absent."""
        value = document
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(value, list) or step >= len(value):
                    raise PathMissing(self.text)
                value = value[step]
            else:
                if not isinstance(value, dict) or step not in value:
                    raise PathMissing(self.text)
                value = value[step]
        return value

    def find(self, document: Any) -> Any:
        """The value at the path, or None when it is absent."""
        try:
            return self.get(document)
        except PathMissing:
            return None

    def put(self, document: dict[str, Any], value: Any) -> None:
        """Set the value at the path, making the objects and lists on the way."""
        here: Any = document
        for step, after in zip(self.steps, (*self.steps[1:], None), strict=True):
            if after is None:
                _set(here, step, value)
                return
            child = _child(here, step)
            if child is None:
                child = [] if isinstance(after, int) else {}
                _set(here, step, child)
            here = child

    def __str__(self) -> str:
        return self.text


def _child(container: Any, step: Step) -> Any:
    if isinstance(step, int):
        return container[step] if step < len(container) else None
    return container.get(step)


def _set(container: Any, step: Step, value: Any) -> None:
    if isinstance(step, int):
        container.extend([None] * (step + 1 - len(container)))
    container[step] = value
