"""What every format shares: the parsed-line record, defaults and the all-or-nothing error."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from consentgate.banks import validate
from consentgate.banks.records import PDQ_MIN_QUALITY, ImportProblem, NewEntry
from consentgate.errors import BadInput
from consentgate.fields import validated


class Format(StrEnum):
    PLAIN = "plain"  # one PDQ (64 hex) or MD5 (32 hex) per line; '#' comments
    CSV = "csv"  # header row; columns pdq, md5, quality, external_id, source, note
    PYTX = "pytx"  # ThreatExchange file format: "<signal_type> <hash>" per line


@dataclass(frozen=True, slots=True)
class EntryDefaults:
    """Fields every imported line gets unless the line sets its own."""

    source: str = ""
    added_by: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ParsedLine:
    line: int
    entry: NewEntry


class ImportFailed(BadInput):
    """A file had bad lines; nothing from it was added."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        shown = "; ".join(f"line {p.line}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} bad line(s), nothing imported: {shown}{more}")
        self.problems = tuple(problems)


def make_entry(
    defaults: EntryDefaults,
    *,
    pdq: str | None = None,
    md5: str | None = None,
    quality: str | int | None = None,
    external_id: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> NewEntry:
    """Validate one line's fields into a NewEntry (BadInput naming the field)."""
    pdq_hex = validate.pdq_hex(pdq) if pdq and pdq.strip() else None
    md5_hex = validate.md5_hex(md5) if md5 and md5.strip() else None
    if pdq_hex is None and md5_hex is None:
        raise BadInput("no hash on this line (need a PDQ or an MD5)", field="pdq")
    q = validate.quality(quality)
    if pdq_hex is not None and q is not None and q < PDQ_MIN_QUALITY:
        raise BadInput(
            f"PDQ quality {q} is below {PDQ_MIN_QUALITY}: too unreliable to match",
            field="quality",
        )
    return validated(
        NewEntry,
        {
            "pdq": pdq_hex,
            "pdq_quality": q if pdq_hex else None,
            "md5": md5_hex,
            "source": (source or defaults.source)[:200],
            "external_id": external_id or None,
            "added_by": defaults.added_by,
            "note": note or defaults.note,
        },
    )
