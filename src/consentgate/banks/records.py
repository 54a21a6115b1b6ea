"""Typed records for banks, entries, matches, screened content and retro-match findings.

Entries are identified by an integer id that never changes; a withdrawn or
deleted entry keeps its id (and its audit trail) but stops matching at once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from annotated_types import Interval
from pydantic import Field

from consentgate.detectors.lookup import BankHit
from consentgate.fields import Count32, Line, Text
from consentgate.records import Label, Record

PDQ_MAX_THRESHOLD = 31
"""The index is exact up to this distance (PDQ's recommended match threshold)."""

PDQ_MIN_QUALITY = 50
"""PDQ hashes below this quality are too unreliable to match (Meta's guidance)."""

BANK_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
PAGE_MAX = 10_000

# What a caller may give, declared once: the HTTP bodies and the service's checks
# (and so the CLI) use the same types. Stored records read back stay lenient, so a
# row written before a rule was tightened can still be read.
BankName = Annotated[str, Field(pattern=BANK_NAME_PATTERN)]
Threshold = Annotated[int, Interval(ge=0, le=PDQ_MAX_THRESHOLD)]
FloodWindow = Annotated[int, Interval(ge=1, le=86_400)]
Description = Annotated[Text, Field(max_length=2000)]
Note = Annotated[Text, Field(max_length=2000)]
StatusReason = Annotated[Text, Field(min_length=1, max_length=500)]
ShortLine = Annotated[Line, Field(max_length=200)]
Quality = Annotated[int, Interval(ge=0, le=100)]
PageSize = Annotated[int, Interval(ge=1, le=PAGE_MAX)]


class BankKind(StrEnum):
    """What a bank holds; the kind decides which policy label a match raises."""

    NCII = "ncii"
    CSAM = "csam"
    TAKEDOWN = "takedown"
    CONSENT = "consent"
    NEGATIVE = "negative"
    CUSTOM = "custom"

    @property
    def label(self) -> str | None:
        """The signal label a match raises; a negative bank raises none, it suppresses."""
        return _LABELS.get(self)


_LABELS = {
    BankKind.NCII: Label.BANK_MATCH_NCII.value,
    BankKind.CSAM: Label.BANK_MATCH_CSAM.value,
    BankKind.TAKEDOWN: Label.BANK_MATCH_TAKEDOWN.value,
    BankKind.CONSENT: Label.BANK_MATCH_CONSENT.value,
    BankKind.CUSTOM: Label.BANK_MATCH_CUSTOM.value,
}


class EntryStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # the person (or the source list) withdrew it
    DELETED = "deleted"  # hashes wiped; only the audit trail remains
    QUARANTINED = "quarantined"  # paused by flood protection, waiting for review


class BankSpec(Record):
    """A bank to create, checked before anything is written."""

    name: BankName
    kind: BankKind
    threshold: Threshold = PDQ_MAX_THRESHOLD
    enabled: bool = True
    description: Description = ""
    flood_max_matches: Count32 | None = Field(
        None, description="matches per window that quarantine an entry; None = default"
    )
    flood_window_s: FloodWindow = 60


class BankUpdate(Record):
    """Changes to a bank; None leaves a setting as it is."""

    enabled: bool | None = None
    threshold: Threshold | None = None
    description: Description | None = None
    flood_max_matches: Count32 | None = None
    flood_window_s: FloodWindow | None = None


class Bank(Record):
    id: int
    name: str = Field(pattern=BANK_NAME_PATTERN)
    kind: BankKind
    threshold: int = Field(PDQ_MAX_THRESHOLD, ge=0, le=PDQ_MAX_THRESHOLD)
    enabled: bool = True
    description: str = ""
    flood_max_matches: int | None = Field(
        None, ge=1, description="matches per window that quarantine an entry; None = default"
    )
    flood_window_s: int = Field(60, ge=1)
    created_at: datetime
    active_entries: int = 0


class NewEntry(Record):
    """An entry to add: at least one hash, already validated (lower-case hex)."""

    pdq: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    pdq_quality: Quality | None = None
    md5: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")
    source: ShortLine = ""
    external_id: ShortLine | None = None
    added_by: ShortLine = ""
    note: Note = ""


class BankEntry(Record):
    id: int
    bank: str
    bank_kind: BankKind
    pdq: str | None
    pdq_quality: int | None
    md5: str | None
    source: str
    external_id: str | None
    added_at: datetime
    added_by: str
    note: str
    status: EntryStatus
    status_reason: str | None = None
    changed_at: datetime


class ScreenedContent(Record):
    """The hashes of one screened image (never the image), for retro-matching."""

    id: int
    decision_id: str
    target: str
    pdq: str | None
    pdq_quality: int | None
    md5: str | None
    screened_at: datetime


class RetroFinding(Record):
    """Already-screened content that matches an entry added later."""

    id: int
    entry_id: int
    bank: str
    bank_kind: BankKind
    screened_id: int
    decision_id: str
    target: str
    hash_type: str
    distance: int
    found_at: datetime


class AddResult(Record):
    entry: BankEntry
    findings: tuple[RetroFinding, ...] = ()


class ImportProblem(Record):
    line: int
    message: str


class ImportResult(Record):
    bank: str
    format: str
    added: int
    entry_ids: tuple[int, ...] = ()
    findings: tuple[RetroFinding, ...] = ()


class MatchResult(Record):
    """Every bank hit for one query, plus hits a negative bank suppressed."""

    query: str
    matches: tuple[BankHit, ...] = ()
    suppressed: tuple[BankHit, ...] = ()
    low_quality: bool = False


__all__ = [
    "PDQ_MAX_THRESHOLD",
    "PDQ_MIN_QUALITY",
    "AddResult",
    "Bank",
    "BankEntry",
    "BankHit",
    "BankKind",
    "BankSpec",
    "BankUpdate",
    "EntryStatus",
    "ImportProblem",
    "ImportResult",
    "MatchResult",
    "NewEntry",
    "RetroFinding",
    "ScreenedContent",
]
