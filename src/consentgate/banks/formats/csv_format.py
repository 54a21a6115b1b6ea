"""CSV with a header row. Known columns: pdq, md5, quality, external_id, source, note.

Unknown columns are an error rather than silently dropped, so a misspelt
``pdq_hash`` column cannot import a file of nothing. A row the csv module cannot
read (a stray quote, a field over its 131,072-character limit) is a bad line
like any other; reading stops there, since what follows it is ambiguous.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from consentgate.banks.formats.base import EntryDefaults, ParsedLine, make_entry
from consentgate.banks.records import BankEntry, ImportProblem
from consentgate.errors import BadInput

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("pdq", "md5", "quality", "external_id", "source", "note")
ALIASES = {"pdq_quality": "quality", "id": "external_id", "hash": "pdq"}


def _rows(reader: Reader, problems: list[ImportProblem]) -> Iterator[list[str]]:
    """The reader's rows until one cannot be read; that one becomes a problem."""
    try:
        yield from reader
    except csv.Error as exc:
        line = reader.line_num
        why = str(exc).split(" - ", 1)[0]  # drop the hint meant for programmers
        problems.append(ImportProblem(line=max(line, 1), message=f"malformed CSV: {why}"))


def parse_csv(text: str, defaults: EntryDefaults) -> tuple[list[ParsedLine], list[ImportProblem]]:
    parsed: list[ParsedLine] = []
    problems: list[ImportProblem] = []
    reader = csv.reader(io.StringIO(text))
    rows = _rows(reader, problems)
    header = next(rows, None)
    if header is None:
        return [], problems
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown or not ({"pdq", "md5"} & set(names)):
        why = f"unknown column(s) {', '.join(unknown)}" if unknown else "no pdq or md5 column"
        return [], [ImportProblem(line=1, message=f"{why}; columns are {', '.join(COLUMNS)}")]
    for row in rows:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problems.append(
                ImportProblem(
                    line=number, message=f"{len(row)} fields; the header has {len(names)}"
                )
            )
            continue
        fields = {name: cell.strip() for name, cell in zip(names, row, strict=True)}
        try:
            parsed.append(ParsedLine(number, make_entry(defaults, **fields)))
        except BadInput as exc:
            problems.append(ImportProblem(line=number, message=exc.message))
    return parsed, problems


def render_csv(entries: Iterable[BankEntry]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                entry.pdq or "",
                entry.md5 or "",
                "" if entry.pdq_quality is None else entry.pdq_quality,
                entry.external_id or "",
                entry.source,
                entry.note,
            ]
        )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.getvalue():
        yield out.getvalue()
