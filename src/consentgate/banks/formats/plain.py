"""Plain hash lists: one PDQ (64 hex digits) or MD5 (32) per line, '#' starts a comment.

The simplest thing a partner can send, and what someone hashing photos on their
own device produces: only hashes, never the photo.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from consentgate.banks import validate
from consentgate.banks.formats.base import EntryDefaults, ParsedLine, make_entry
from consentgate.banks.records import BankEntry, ImportProblem
from consentgate.errors import BadInput


def parse_plain(text: str, defaults: EntryDefaults) -> tuple[list[ParsedLine], list[ImportProblem]]:
    parsed: list[ParsedLine] = []
    problems: list[ImportProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.split("#", 1)[0].strip()
        if not value:
            continue
        try:
            kind = validate.classify(value)
            entry = make_entry(defaults, **{kind: value})
        except BadInput as exc:
            problems.append(ImportProblem(line=number, message=exc.message))
            continue
        parsed.append(ParsedLine(number, entry))
    return parsed, problems


def render_plain(entries: Iterable[BankEntry]) -> Iterator[str]:
    for entry in entries:
        for value in (entry.pdq, entry.md5):
            if value:
                yield value + "\n"
