"""The ThreatExchange (pytx) signal file: ``<signal_type> <hash>`` per line.

This is what ``threatexchange``'s local-file exchange reads and appends to
(``pdq <64 hex>``, ``video_md5 <32 hex>``). StopNCII shares file MD5s as
``video_md5``; ``md5`` is accepted as a synonym on import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from consentgate.banks.formats.base import EntryDefaults, ParsedLine, make_entry
from consentgate.banks.records import BankEntry, ImportProblem
from consentgate.errors import BadInput

SIGNAL_TYPES = {"pdq": "pdq", "video_md5": "md5", "md5": "md5"}


def parse_pytx(text: str, defaults: EntryDefaults) -> tuple[list[ParsedLine], list[ImportProblem]]:
    parsed: list[ParsedLine] = []
    problems: list[ImportProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        signal_type, _, value = line.partition(" ")
        field = SIGNAL_TYPES.get(signal_type.lower())
        if field is None:
            message = f"signal type {signal_type[:40]!r} is not one of {', '.join(SIGNAL_TYPES)}"
            problems.append(ImportProblem(line=number, message=message))
            continue
        try:
            parsed.append(ParsedLine(number, make_entry(defaults, **{field: value})))
        except BadInput as exc:
            problems.append(ImportProblem(line=number, message=exc.message))
    return parsed, problems


def render_pytx(entries: Iterable[BankEntry]) -> Iterator[str]:
    for entry in entries:
        if entry.pdq:
            yield f"pdq {entry.pdq}\n"
        if entry.md5:
            yield f"video_md5 {entry.md5}\n"
