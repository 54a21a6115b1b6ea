"""JSON objects that give a key twice are refused, at any depth.

Why: JSON leaves a repeated key undefined. Python's ``json`` and pydantic keep
the last value; other parsers keep the first (or refuse). A body such as
``{"kind": "dsa_notice", ..., "kind": "child_safety"}`` can then be read one
way by whatever inspected it on the way in (a proxy, a filter, a log) and the
other way here, and what was recorded is not what was checked. Every JSON body
a route or command takes passes through ``refuse_duplicate_keys`` first.
"""

from __future__ import annotations

import json
from typing import Any

from consentgate.errors import BadInput


class DuplicateKey(BadInput):
    """A JSON object gave ``key`` twice: 422 (HTTP) or exit 2 (CLI), naming the key."""

    title = "Duplicate key"

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key!r} is given twice in one JSON object", field=key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def refuse_duplicate_keys(body: bytes | str) -> None:
    """DuplicateKey for the first key given twice in one object.

    Bodies that are not JSON at all are left to the parser that follows, which
    says what is wrong with them in its own words.
    """
    try:
        json.loads(body, object_pairs_hook=_unique)
    except (ValueError, RecursionError):  # not JSON (or too deep): reported by the parser
        return


def loads_unique(body: bytes | str) -> Any:
    """``body`` parsed once, refusing a repeated key (``DuplicateKey``).

    Raises ``ValueError`` (or ``RecursionError``) when it is not JSON, as ``json.loads``.
    For large bodies read from elsewhere (an upstream's answer), where parsing
    twice, as ``refuse_duplicate_keys`` then ``json.loads`` would, costs time.
    """
    return json.loads(body, object_pairs_hook=_unique)
