"""SQL for banks and entries: the one place that reads and writes their tables.

Every change to an entry or a bank appends a row to ``bank_changes`` in the same
transaction; matcher processes tail that log. On PostgreSQL the log is locked for
the rest of the transaction before it is appended to, so sequence numbers become
visible in order and a poller can never skip a change that commits late.

Each change also tells the other workers (``banks.notices``): the log's new seq
is noted for the commit listeners, and on PostgreSQL a NOTIFY carrying it is
part of the same transaction, so it is sent when, and only if, the change commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, or_, select, update

from consentgate.banks.notices import PG_CHANNEL, TOPIC
from consentgate.banks.records import Bank, BankEntry, BankKind, EntryStatus, NewEntry
from consentgate.errors import Conflict, NotFound
from consentgate.records import utc_now
from consentgate.store.banks_tables import bank_changes, bank_entries, banks
from consentgate.store.database import note_for_commit


def utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything here is stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _bank(row: Row[Any], active: int = 0) -> Bank:
    return Bank(
        id=row.id,
        name=row.name,
        kind=BankKind(row.kind),
        threshold=row.threshold,
        enabled=row.enabled,
        description=row.description,
        flood_max_matches=row.flood_max_matches,
        flood_window_s=row.flood_window_s,
        created_at=utc(row.created_at),
        active_entries=active,
    )


_ENTRY_COLUMNS = (*bank_entries.c, banks.c.name.label("bank_name"), banks.c.kind.label("kind"))


def _entry(row: Row[Any]) -> BankEntry:
    return BankEntry(
        id=row.id,
        bank=row.bank_name,
        bank_kind=BankKind(row.kind),
        pdq=row.pdq,
        pdq_quality=row.pdq_quality,
        md5=row.md5,
        source=row.source,
        external_id=row.external_id,
        added_at=utc(row.added_at),
        added_by=row.added_by,
        note=row.note,
        status=EntryStatus(row.status),
        status_reason=row.status_reason,
        changed_at=utc(row.changed_at),
    )


def log_changes(conn: Connection, bank_id: int, entry_ids: Sequence[int | None]) -> None:
    """Append to the change log and tell the other workers (see the module docstring)."""
    if not entry_ids:
        return
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("LOCK TABLE bank_changes IN SHARE ROW EXCLUSIVE MODE")
    now = utc_now()
    conn.execute(
        insert(bank_changes),
        [{"bank_id": bank_id, "entry_id": e, "at": now} for e in entry_ids],
    )
    seq = max_seq(conn)  # ours: the log is locked (PostgreSQL) or the file is (SQLite)
    note_for_commit(conn, TOPIC, seq)
    if postgres:
        conn.execute(select(func.pg_notify(PG_CHANNEL, str(seq))))


def create_bank(conn: Connection, bank: dict[str, Any]) -> Bank:
    if conn.execute(select(banks.c.id).where(banks.c.name == bank["name"])).first():
        raise Conflict(f"a bank named {bank['name']!r} already exists")
    bank_id = conn.execute(insert(banks).values(**bank).returning(banks.c.id)).scalar_one()
    log_changes(conn, bank_id, [None])
    return get_bank(conn, bank["name"])


def get_bank(conn: Connection, name: str) -> Bank:
    row = conn.execute(select(banks).where(banks.c.name == name)).first()
    if row is None:
        raise NotFound(f"no bank named {name!r}")
    return _bank(row, _active_counts(conn, row.id).get(row.id, 0))


def _active_counts(conn: Connection, bank_id: int | None = None) -> dict[int, int]:
    query = (
        select(bank_entries.c.bank_id, func.count())
        .where(bank_entries.c.status == EntryStatus.ACTIVE.value)
        .group_by(bank_entries.c.bank_id)
    )
    if bank_id is not None:
        query = query.where(bank_entries.c.bank_id == bank_id)
    return {int(b): int(n) for b, n in conn.execute(query)}


def list_banks(conn: Connection) -> list[Bank]:
    counts = _active_counts(conn)
    rows = conn.execute(select(banks).order_by(banks.c.name))
    return [_bank(r, counts.get(r.id, 0)) for r in rows]


def all_banks(conn: Connection) -> list[Bank]:
    """Bank metadata without entry counts (cheap enough to read on every refresh)."""
    return [_bank(r) for r in conn.execute(select(banks).order_by(banks.c.id))]


def update_bank(conn: Connection, name: str, values: dict[str, Any]) -> Bank:
    bank = get_bank(conn, name)
    if values:
        conn.execute(update(banks).where(banks.c.id == bank.id).values(**values))
        log_changes(conn, bank.id, [None])
    return get_bank(conn, name)


def find_duplicates(conn: Connection, bank_id: int, entries: Sequence[NewEntry]) -> set[str]:
    """Hashes among ``entries`` that an active entry of the bank already has."""
    pdqs = {e.pdq for e in entries if e.pdq}
    md5s = {e.md5 for e in entries if e.md5}
    found: set[str] = set()
    active = and_(
        bank_entries.c.bank_id == bank_id, bank_entries.c.status == EntryStatus.ACTIVE.value
    )
    for column, values in ((bank_entries.c.pdq, pdqs), (bank_entries.c.md5, md5s)):
        items = sorted(values)
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            query = select(column).where(active, column.in_(chunk))
            found.update(v for (v,) in conn.execute(query))
    return found


def add_entries(conn: Connection, bank: Bank, entries: Sequence[NewEntry]) -> list[int]:
    now = utc_now()
    rows = [
        {
            **entry.model_dump(),
            "bank_id": bank.id,
            "added_at": now,
            "changed_at": now,
            "status": EntryStatus.ACTIVE.value,
            "status_reason": None,
        }
        for entry in entries
    ]
    ids: list[int] = []
    for start in range(0, len(rows), 1000):
        result = conn.execute(
            insert(bank_entries).returning(bank_entries.c.id, sort_by_parameter_order=True),
            rows[start : start + 1000],
        )
        ids.extend(int(i) for i in result.scalars())
    log_changes(conn, bank.id, ids)
    return ids


def get_entry(conn: Connection, entry_id: int) -> BankEntry:
    row = conn.execute(
        select(*_ENTRY_COLUMNS)
        .join(banks, banks.c.id == bank_entries.c.bank_id)
        .where(bank_entries.c.id == entry_id)
    ).first()
    if row is None:
        raise NotFound(f"no bank entry {entry_id}")
    return _entry(row)


def entries_by_ids(conn: Connection, ids: Iterable[int]) -> list[BankEntry]:
    wanted = sorted(set(ids))
    out: list[BankEntry] = []
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(*_ENTRY_COLUMNS)
            .join(banks, banks.c.id == bank_entries.c.bank_id)
            .where(bank_entries.c.id.in_(wanted[start : start + 500]))
        )
        out.extend(_entry(r) for r in rows)
    return out


def list_entries(
    conn: Connection,
    bank_id: int,
    *,
    status: EntryStatus | None = None,
    limit: int | None = None,
    after_id: int = 0,
) -> Iterator[BankEntry]:
    query = (
        select(*_ENTRY_COLUMNS)
        .join(banks, banks.c.id == bank_entries.c.bank_id)
        .where(bank_entries.c.bank_id == bank_id, bank_entries.c.id > after_id)
        .order_by(bank_entries.c.id)
    )
    if status is not None:
        query = query.where(bank_entries.c.status == status.value)
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query):
        yield _entry(row)


def set_status(
    conn: Connection,
    entry_id: int,
    status: EntryStatus,
    reason: str | None,
    *,
    only_if: EntryStatus | None = None,
) -> BankEntry:
    entry = get_entry(conn, entry_id)
    if only_if is not None and entry.status is not only_if:
        return entry
    values: dict[str, Any] = {
        "status": status.value,
        "status_reason": reason,
        "changed_at": utc_now(),
    }
    if status is EntryStatus.DELETED:
        values.update(pdq=None, pdq_quality=None, md5=None)
    conn.execute(update(bank_entries).where(bank_entries.c.id == entry_id).values(**values))
    bank_id = conn.execute(
        select(bank_entries.c.bank_id).where(bank_entries.c.id == entry_id)
    ).scalar_one()
    log_changes(conn, bank_id, [entry_id])
    return get_entry(conn, entry_id)


def store_identity(conn: Connection) -> str:
    """Identifies this store's change log (its first change), so a snapshot taken
    from another or a re-created store is never applied to this one."""
    row = conn.execute(
        select(bank_changes.c.seq, bank_changes.c.at).order_by(bank_changes.c.seq).limit(1)
    ).first()
    return "" if row is None else f"{row.seq}@{utc(row.at).isoformat()}"


def max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(bank_changes.c.seq), 0))).scalar_one())


Change = tuple[int, int, int | None, datetime]
"""(seq, bank_id, entry_id or None for the bank itself, when it was logged)."""


def changes_since(conn: Connection, seq: int, limit: int) -> list[Change]:
    """The changes after ``seq``, oldest first."""
    rows = conn.execute(
        select(
            bank_changes.c.seq, bank_changes.c.bank_id, bank_changes.c.entry_id, bank_changes.c.at
        )
        .where(bank_changes.c.seq > seq)
        .order_by(bank_changes.c.seq)
        .limit(limit)
    )
    return [(int(s), int(b), None if e is None else int(e), utc(at)) for s, b, e, at in rows]


def index_rows(
    conn: Connection, entry_ids: Sequence[int] | None = None, *, batch: int = 50_000
) -> Iterator[list[Row[Any]]]:
    """(id, bank_id, status, pdq, pdq_quality, md5) in batches, by id."""
    columns = (
        bank_entries.c.id,
        bank_entries.c.bank_id,
        bank_entries.c.status,
        bank_entries.c.pdq,
        bank_entries.c.pdq_quality,
        bank_entries.c.md5,
    )
    if entry_ids is not None:
        wanted = sorted(set(entry_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield list(conn.execute(select(*columns).where(bank_entries.c.id.in_(chunk))))
        return
    last = 0
    active = bank_entries.c.status == EntryStatus.ACTIVE.value
    has_hash = or_(bank_entries.c.pdq.is_not(None), bank_entries.c.md5.is_not(None))
    while True:
        rows = list(
            conn.execute(
                select(*columns)
                .where(active, has_hash, bank_entries.c.id > last)
                .order_by(bank_entries.c.id)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield rows  # type: ignore[misc]
        last = int(rows[-1].id)
