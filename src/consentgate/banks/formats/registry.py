"""Format dispatch in one table, plus duplicate checks within a file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath

from consentgate.banks.formats.base import EntryDefaults, Format, ImportFailed, ParsedLine
from consentgate.banks.formats.csv_format import parse_csv, render_csv
from consentgate.banks.formats.plain import parse_plain, render_plain
from consentgate.banks.formats.pytx import SIGNAL_TYPES, parse_pytx, render_pytx
from consentgate.banks.records import BankEntry, ImportProblem

Parser = Callable[[str, EntryDefaults], tuple[list[ParsedLine], list[ImportProblem]]]
Renderer = Callable[[Iterable[BankEntry]], Iterator[str]]

_FORMATS: dict[Format, tuple[Parser, Renderer]] = {
    Format.PLAIN: (parse_plain, render_plain),
    Format.CSV: (parse_csv, render_csv),
    Format.PYTX: (parse_pytx, render_pytx),
}


def detect_format(name: str | None, text: str) -> Format:
    """By file extension (.csv, .txt), else by the first non-comment line."""
    suffix = PurePath(name).suffix.lower() if name else ""
    if suffix == ".csv":
        return Format.CSV
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first = line.split(" ", 1)[0].lower()
        if first in SIGNAL_TYPES and " " in line:
            return Format.PYTX
        if "," in line:
            return Format.CSV
        return Format.PLAIN
    return Format.PLAIN


def _duplicates(parsed: list[ParsedLine]) -> list[ImportProblem]:
    seen: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for item in parsed:
        for value in (item.entry.pdq, item.entry.md5):
            if value is None:
                continue
            if value in seen:
                message = f"duplicate of line {seen[value]} ({value[:16]}…)"
                problems.append(ImportProblem(line=item.line, message=message))
            else:
                seen[value] = item.line
    return problems


def parse(text: str, fmt: Format, defaults: EntryDefaults | None = None) -> list[ParsedLine]:
    """Every line of a file as entries, or ImportFailed listing every bad line."""
    parser, _ = _FORMATS[fmt]
    parsed, problems = parser(text, defaults or EntryDefaults())
    problems = sorted(problems + _duplicates(parsed), key=lambda p: p.line)
    if problems:
        raise ImportFailed(problems)
    return parsed


def render(entries: Iterable[BankEntry], fmt: Format) -> Iterator[str]:
    _, renderer = _FORMATS[fmt]
    return renderer(entries)
