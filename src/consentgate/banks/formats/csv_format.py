"""CSV with a header row. Known columns: pdq, md5, quality, external_id, source, note.

Unknown columns are an error rather than silently dropped, so a misspelt
``pdq_hash`` column cannot import a file of nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from consentgate.banks.formats.base import EntryDefaults, ParsedLine, make_entry
from consentgate.banks.records import BankEntry, ImportProblem
from consentgate.errors import BadInput

COLUMNS = ("pdq", "md5", "quality", "external_id", "source", "note")
ALIASES = {"pdq_quality": "quality", "id": "external_id", "hash": "pdq"}


def parse_csv(text: str, defaults: EntryDefaults) -> tuple[list[ParsedLine], list[ImportProblem]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], []
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown or not ({"pdq", "md5"} & set(names)):
        why = f"unknown column(s) {', '.join(unknown)}" if unknown else "no pdq or md5 column"
        return [], [ImportProblem(line=1, message=f"{why}; columns are {', '.join(COLUMNS)}")]
    parsed: list[ParsedLine] = []
    problems: list[ImportProblem] = []
    for row in reader:
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
