"""The bank service: the one object shells (CLI, HTTP API, console) call for banks.

It owns the write paths (banks, entries, imports, withdrawals, screened-content
hashes, retro-matching) and, when given one, keeps a BankMatcher in this process
current straight after each write; matchers in other processes catch up from the
change log within their poll interval.

Every value a caller gives is checked here, before any write, with the same
types the HTTP bodies use (``consentgate.fields``, ``banks.records``), and a bad
one raises BadInput naming its field: the CLI and any other shell get the same
protection as the API, and an exit status instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection

from consentgate.banks import repository as repo
from consentgate.banks import validate
from consentgate.banks.formats import (
    EntryDefaults,
    Format,
    ImportFailed,
    detect_format,
    parse,
    render,
)
from consentgate.banks.formats.base import make_entry
from consentgate.banks.matcher import BankMatcher
from consentgate.banks.observer import BankObserver, NoObserver
from consentgate.banks.records import (
    PDQ_MAX_THRESHOLD,
    AddResult,
    Bank,
    BankEntry,
    BankKind,
    BankName,
    BankSpec,
    BankUpdate,
    EntryStatus,
    ImportProblem,
    ImportResult,
    MatchResult,
    NewEntry,
    Note,
    PageSize,
    RetroFinding,
    ShortLine,
    StatusReason,
)
from consentgate.banks.retro import list_findings, record_screened, retro_match
from consentgate.errors import BadInput
from consentgate.fields import After64, Id64, checked, validated
from consentgate.hashing.image import hash_image_bytes
from consentgate.images.limits import DEFAULT_LIMITS, ImageLimits
from consentgate.records import utc_now
from consentgate.store.database import Database

_NAME: TypeAdapter[str] = TypeAdapter(BankName)
_ENTRY_ID: TypeAdapter[int] = TypeAdapter(Id64)
_AFTER: TypeAdapter[int] = TypeAdapter(After64)
_LIMIT: TypeAdapter[int] = TypeAdapter(PageSize)
_REASON: TypeAdapter[str] = TypeAdapter(StatusReason)
_LINE: TypeAdapter[str] = TypeAdapter(ShortLine)
_NOTE: TypeAdapter[str] = TypeAdapter(Note)


OPERATOR = "operator"
"""The actor of a bank change when the caller names nobody (e.g. the CLI)."""
AUTOMATED = "automated"


class BankService:
    """Banks, entries, imports/exports, matching and retro-matching over one store."""

    def __init__(
        self,
        db: Database,
        *,
        matcher: BankMatcher | None = None,
        observer: BankObserver | None = None,
        image_limits: ImageLimits = DEFAULT_LIMITS,
    ) -> None:
        self.db = db
        self.matcher = matcher
        self.observer: BankObserver = observer or NoObserver()
        self.image_limits = image_limits  # images to match pass the screen's intake limits

    # -- banks -----------------------------------------------------------------
    def create_bank(
        self,
        name: str,
        kind: BankKind | str,
        *,
        threshold: int = PDQ_MAX_THRESHOLD,
        enabled: bool = True,
        description: str = "",
        flood_max_matches: int | None = None,
        flood_window_s: int = 60,
        actor: str = OPERATOR,
    ) -> Bank:
        spec = validated(
            BankSpec,
            {
                "name": name,
                "kind": kind,
                "threshold": threshold,
                "enabled": enabled,
                "description": description,
                "flood_max_matches": flood_max_matches,
                "flood_window_s": flood_window_s,
            },
        )
        values: dict[str, Any] = {
            **spec.model_dump(),
            "kind": spec.kind.value,
            "created_at": utc_now(),
        }
        with self.db.write() as conn:
            bank = repo.create_bank(conn, values)
            self.observer.bank_changed(
                conn, change="bank_created", bank=bank, entry_ids=(), actor=actor
            )
        self._changed()
        return bank

    def get_bank(self, name: str) -> Bank:
        name = checked(_NAME, name, "name")
        with self.db.read() as conn:
            return repo.get_bank(conn, name)

    def list_banks(self) -> list[Bank]:
        with self.db.read() as conn:
            return repo.list_banks(conn)

    def update_bank(
        self,
        name: str,
        *,
        enabled: bool | None = None,
        threshold: int | None = None,
        description: str | None = None,
        flood_max_matches: int | None = None,
        flood_window_s: int | None = None,
        actor: str = OPERATOR,
    ) -> Bank:
        name = checked(_NAME, name, "name")
        update = validated(
            BankUpdate,
            {
                "enabled": enabled,
                "threshold": threshold,
                "description": description,
                "flood_max_matches": flood_max_matches,
                "flood_window_s": flood_window_s,
            },
        )
        changes = update.model_dump(exclude_none=True)
        with self.db.write() as conn:
            bank = repo.update_bank(conn, name, changes)
            self.observer.bank_changed(
                conn, change="bank_updated", bank=bank, entry_ids=(), actor=actor,
                data={"changes": changes},
            )  # fmt: skip
        self._changed()
        return bank

    # -- entries ---------------------------------------------------------------
    def add_entry(
        self,
        bank: str,
        *,
        pdq: str | None = None,
        md5: str | None = None,
        pdq_quality: int | None = None,
        source: str = "",
        external_id: str | None = None,
        added_by: str = "",
        note: str = "",
        retro: bool = True,
    ) -> AddResult:
        """Add one entry (hash-only enrolment: only hashes, never the image)."""
        bank = checked(_NAME, bank, "name")
        entry = make_entry(
            EntryDefaults(source=source, added_by=added_by, note=note),
            pdq=pdq,
            md5=md5,
            quality=pdq_quality,
            external_id=external_id,
        )
        result = self._add(bank, [(1, entry)], retro=retro, single=True)
        with self.db.read() as conn:
            stored = repo.get_entry(conn, result.entry_ids[0])
        return AddResult(entry=stored, findings=result.findings)

    def _add(
        self,
        bank_name: str,
        parsed: Sequence[tuple[int, NewEntry]],
        *,
        retro: bool,
        single: bool = False,
        fmt: str = "api",
    ) -> ImportResult:
        with self.db.write() as conn:
            bank = repo.get_bank(conn, bank_name)
            dupes = repo.find_duplicates(conn, bank.id, [e for _, e in parsed])
            if dupes:
                problems = [
                    ImportProblem(line=line, message=f"already in bank {bank.name} ({value[:16]}…)")
                    for line, e in parsed
                    for value in (e.pdq, e.md5)
                    if value in dupes
                ]
                if single:
                    field = "pdq" if parsed[0][1].pdq in dupes else "md5"
                    raise BadInput(f"that hash is already in bank {bank.name}", field=field)
                raise ImportFailed(problems)
            ids = repo.add_entries(conn, bank, [e for _, e in parsed])
            findings: list[RetroFinding] = []
            if retro:
                pairs = list(zip(ids, (e for _, e in parsed), strict=True))
                findings = retro_match(conn, bank, pairs)
            added_by = {e.added_by for _, e in parsed if e.added_by}
            self.observer.bank_changed(
                conn,
                change="entries_added",
                bank=bank,
                entry_ids=ids,
                actor=", ".join(sorted(added_by)) or OPERATOR,
                data={"format": fmt},
            )
            if findings:
                self.observer.found(conn, findings)
        self._changed()
        return ImportResult(
            bank=bank.name,
            format=fmt,
            added=len(ids),
            entry_ids=tuple(ids),
            findings=tuple(findings),
        )

    def import_text(
        self,
        bank: str,
        text: str,
        *,
        fmt: Format | str | None = None,
        filename: str | None = None,
        source: str = "",
        added_by: str = "",
        note: str = "",
        retro: bool = True,
    ) -> ImportResult:
        """Import a list; all-or-nothing: any bad line raises ImportFailed and adds nothing."""
        bank = checked(_NAME, bank, "name")
        chosen = _format(fmt) if fmt else detect_format(filename, text)
        defaults = EntryDefaults(
            source=checked(_LINE, (source or filename or "")[:200], "source"),
            added_by=checked(_LINE, added_by, "added_by"),
            note=checked(_NOTE, note, "note"),
        )
        parsed = parse(text, chosen, defaults)
        pairs = [(p.line, p.entry) for p in parsed]
        return self._add(bank, pairs, retro=retro, fmt=chosen.value)

    def import_file(self, bank: str, path: Path, **kwargs: Any) -> ImportResult:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"cannot read {path.name}: {exc}") from None
        kwargs.setdefault("source", path.name)
        return self.import_text(bank, text, filename=path.name, **kwargs)

    def export(self, bank: str, fmt: Format | str = Format.PLAIN) -> Iterator[str]:
        """The bank's active entries in a format, as text chunks."""
        bank = checked(_NAME, bank, "name")
        chosen = _format(fmt)
        with self.db.read() as conn:
            bank_id = repo.get_bank(conn, bank).id
            entries = list(repo.list_entries(conn, bank_id, status=EntryStatus.ACTIVE))
        return render(entries, chosen)

    def get_entry(self, entry_id: int) -> BankEntry:
        entry_id = checked(_ENTRY_ID, entry_id, "entry_id")
        with self.db.read() as conn:
            return repo.get_entry(conn, entry_id)

    def list_entries(
        self,
        bank: str,
        *,
        status: EntryStatus | None = None,
        limit: int = 100,
        after_id: int = 0,
    ) -> list[BankEntry]:
        bank = checked(_NAME, bank, "name")
        limit = checked(_LIMIT, limit, "limit")
        after_id = checked(_AFTER, after_id, "after_id")
        with self.db.read() as conn:
            bank_id = repo.get_bank(conn, bank).id
            return list(
                repo.list_entries(conn, bank_id, status=status, limit=limit, after_id=after_id)
            )

    def withdraw(
        self,
        entry_id: int,
        *,
        reason: str = "withdrawn",
        delete: bool = False,
        actor: str = OPERATOR,
    ) -> BankEntry:
        """Stop an entry matching now; ``delete`` also wipes its hashes from the store."""
        entry_id = checked(_ENTRY_ID, entry_id, "entry_id")
        reason = checked(_REASON, reason, "reason")
        status = EntryStatus.DELETED if delete else EntryStatus.WITHDRAWN
        with self.db.write() as conn:
            entry = repo.set_status(conn, entry_id, status, reason)
            self._entry_changed(conn, f"entry_{status.value}", entry, actor, reason)
        self._changed()
        return entry

    def quarantine(self, entry_id: int, reason: str) -> BankEntry:
        """Pause an entry pending review (flood protection calls this)."""
        with self.db.write() as conn:
            entry = repo.set_status(
                conn, entry_id, EntryStatus.QUARANTINED, reason, only_if=EntryStatus.ACTIVE
            )
            self._entry_changed(conn, "entry_quarantined", entry, AUTOMATED, reason)
        self._changed()
        return entry

    def reinstate(
        self, entry_id: int, *, reason: str = "reviewed", actor: str = OPERATOR
    ) -> BankEntry:
        """Make a quarantined (or withdrawn) entry match again after review."""
        entry_id = checked(_ENTRY_ID, entry_id, "entry_id")
        reason = checked(_REASON, reason, "reason")
        with self.db.write() as conn:
            entry = repo.set_status(conn, entry_id, EntryStatus.ACTIVE, reason)
            if entry.pdq is None and entry.md5 is None:
                raise BadInput(
                    f"entry {entry_id} was deleted; its hashes are gone", field="entry_id"
                )
            self._entry_changed(conn, "entry_reinstated", entry, actor, reason)
        if self.matcher is not None:
            self.matcher.flood.reset(entry_id)
        self._changed()
        return entry

    # -- matching --------------------------------------------------------------
    def _require_matcher(self) -> BankMatcher:
        if self.matcher is None:
            self.matcher = BankMatcher(self.db, on_flood=self.quarantine)
        return self.matcher

    def match(
        self,
        *,
        pdq: str | Sequence[str] | None = None,
        quality: int | None = None,
        md5: str | None = None,
        query: str | None = None,
    ) -> MatchResult:
        """Match hashes; ``pdq`` may be several (e.g. the 8 dihedral hashes of one image)."""
        pdqs = [pdq] if isinstance(pdq, str) else list(pdq or [])
        pdqs = [validate.pdq_hex(p) for p in pdqs]
        md5_hex = validate.md5_hex(md5) if md5 else None
        label = query or (pdqs[0] if pdqs else md5_hex or "")
        return self._require_matcher().match(pdqs, quality=quality, md5=md5_hex, query=label)

    def match_image(
        self, data: bytes, *, query: str = "image", dihedral: bool = True
    ) -> MatchResult:
        hashes = hash_image_bytes(data, limits=self.image_limits, dihedral=dihedral)
        return self.match(
            pdq=[hashes.pdq, *hashes.dihedral],
            quality=hashes.quality,
            md5=hashes.md5,
            query=query,
        )

    # -- screened content and retro-matching -----------------------------------
    def record_screened(
        self,
        decision_id: str,
        pdq: str | None,
        quality: int | None,
        md5: str | None,
        *,
        target: str = "source_image",
        screened_at: datetime | None = None,
    ) -> int:
        """Keep the hashes of one screened image (never the image) for retro-matching."""
        with self.db.write() as conn:
            return record_screened(
                conn,
                decision_id=decision_id,
                target=target,
                pdq=validate.pdq_hex(pdq) if pdq else None,
                quality=quality,
                md5=validate.md5_hex(md5) if md5 else None,
                screened_at=screened_at,
            )

    def findings(
        self,
        *,
        bank: str | None = None,
        limit: int = 100,
        after_id: int = 0,
        newest_first: bool = False,
    ) -> list[RetroFinding]:
        bank = checked(_NAME, bank, "bank") if bank is not None else None
        limit = checked(_LIMIT, limit, "limit")
        after_id = checked(_AFTER, after_id, "after_id")
        with self.db.read() as conn:
            bank_id = repo.get_bank(conn, bank).id if bank else None
            return list_findings(
                conn, bank_id=bank_id, limit=limit, after_id=after_id, newest_first=newest_first
            )

    def _entry_changed(
        self, conn: Connection, change: str, entry: BankEntry, actor: str, reason: str
    ) -> None:
        bank = repo.get_bank(conn, entry.bank)
        self.observer.bank_changed(
            conn, change=change, bank=bank, entry_ids=(entry.id,), actor=actor, reason=reason
        )

    def _changed(self) -> None:
        if self.matcher is not None:
            self.matcher.refresh()


def _format(fmt: Format | str) -> Format:
    try:
        return Format(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise BadInput(f"format {fmt!r} is not one of {choices}", field="format") from None
