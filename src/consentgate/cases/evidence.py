"""Child-safety evidence: the one place an image is kept, encrypted, for as long as the law says.

Why it exists: US law (REPORT Act, 18 USC 2258A) and UK regulations (S.I.
2026/268 reg 8) require the content behind a child-safety report to be
preserved for a year; everywhere else ConsentGate keeps hashes only. So the
image of an R1 escalation is sealed with AES-256-GCM under a key from settings
(``CONSENTGATE_EVIDENCE_KEY``), kept until ``retain_until`` (one year by default,
longer under legal hold), and every view is an ``evidence_viewed`` event of the
audit chain, written in the same transaction that decrypts it, after the bytes
reached their destination (CS-5: access minimised and logged). A failed open
(wrong key, altered bytes) is an ``evidence_open_failed`` event. Purging drops
the ciphertext and keeps the record (hash, dates) so the chain still proves what
was kept. Which key sealed which item: ``consentgate.cases.evidence_keys``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, Row, insert, select, update

from consentgate.cases.evidence_keys import EvidenceKeys, KeyUnknown
from consentgate.cases.records import EventKind
from consentgate.cases.service import CaseService
from consentgate.errors import ConfigError, ConsentGateError, NotFound
from consentgate.people import Act, Actor, require
from consentgate.records import Record
from consentgate.settings import Settings
from consentgate.store.cases_tables import case_evidence
from consentgate.store.database import Database


class EvidenceUnreadable(ConsentGateError):
    """The ciphertext does not open with the configured key (wrong key or altered bytes)."""

    http_status = 500
    title = "Evidence unreadable"

    def __init__(
        self, message: str, *, evidence_id: str = "", case_id: str = "", why: str = ""
    ) -> None:
        super().__init__(message)
        self.evidence_id, self.case_id, self.why = evidence_id, case_id, why


class EvidenceRecord(Record):
    """What is known of a piece of evidence without opening it."""

    id: str
    case_id: str
    media_type: str
    sha256: str
    kept_at: datetime
    retain_until: datetime
    legal_hold: bool
    purged_at: datetime | None = None
    key_id: str | None = None


class EvidenceVault:
    def __init__(
        self,
        db: Database,
        cases: CaseService,
        key: bytes | None,
        *,
        retention_days: int = 365,
        old_keys: Sequence[bytes] = (),
    ) -> None:
        if key is not None and len(key) != 32:
            raise ValueError("the evidence key must be 32 bytes")
        self.db = db
        self.cases = cases
        self.keys = EvidenceKeys.of(key, old_keys)
        self.retention = timedelta(days=retention_days)

    @classmethod
    def from_settings(cls, db: Database, cases: CaseService, settings: Settings) -> EvidenceVault:
        secret = settings.evidence_key
        key = base64.b64decode(secret.get_secret_value()) if secret is not None else None
        old = [base64.b64decode(k.get_secret_value()) for k in settings.evidence_old_keys]
        return cls(db, cases, key, retention_days=settings.evidence_retention_days, old_keys=old)

    @property
    def enabled(self) -> bool:
        return self.keys.enabled

    def check_key(self) -> None:
        """Raise ConfigError unless the configured keys open the newest sealed item.

        Why the newest: it was sealed by the key the service ran with last, so a
        key that cannot open it is a different key, and starting with it would
        seal new evidence that the previous key's holders cannot read, and the
        reverse. Nothing sealed, or no key at all (evidence off), passes.
        """
        if not self.keys.enabled:
            return
        with self.db.read() as conn:
            row = conn.execute(
                select(case_evidence)
                .where(case_evidence.c.ciphertext.is_not(None))
                .order_by(case_evidence.c.kept_at.desc(), case_evidence.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return
        try:
            self.keys.open(row.key_id, row.nonce, row.ciphertext, row.id.encode())
        except (KeyUnknown, InvalidTag):
            raise ConfigError(
                f"CONSENTGATE_EVIDENCE_KEY (key id {self.keys.current_id}) does not open the "
                f"newest sealed evidence (key id {row.key_id or 'unknown'}): configure the key "
                "it was sealed with, or add the old key to CONSENTGATE_EVIDENCE_OLD_KEYS and "
                "run `consentgate evidence rekey`"
            ) from None

    def keep(
        self, conn: Connection, case_id: str, data: bytes, media_type: str, *, actor: str
    ) -> str | None:
        """Seal ``data`` for ``case_id`` in ``conn``'s transaction; None (and an event
        saying why) when no key is configured."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.keys.enabled:
            self.cases.record(
                case_id,
                EventKind.EVIDENCE_KEPT,
                actor=actor,
                reason="not kept: CONSENTGATE_EVIDENCE_KEY is not set",
                data={"kept": False, "sha256": digest},
                conn=conn,
            )
            return None
        evidence_id = uuid.uuid4().hex
        nonce = os.urandom(12)
        sealed_by, ciphertext = self.keys.seal(nonce, data, evidence_id.encode())
        now = self.cases.clock()
        conn.execute(
            insert(case_evidence).values(
                id=evidence_id,
                case_id=case_id,
                media_type=media_type,
                sha256=digest,
                nonce=nonce,
                ciphertext=ciphertext,
                key_id=sealed_by,
                kept_at=now,
                retain_until=now + self.retention,
                legal_hold=False,
                purged_at=None,
            )
        )
        self.cases.record(
            case_id,
            EventKind.EVIDENCE_KEPT,
            actor=actor,
            reason="sealed for the legal retention period",
            data={"kept": True, "evidence_id": evidence_id, "sha256": digest},
            conn=conn,
        )
        return evidence_id

    def list(self, case_id: str) -> list[EvidenceRecord]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(case_evidence).where(case_evidence.c.case_id == case_id)
            ).all()
        return [_record(row) for row in rows]

    def view(
        self,
        evidence_id: str,
        *,
        actor: Actor,
        reason: str,
        deliver: Callable[[bytes], None] | None = None,
    ) -> tuple[EvidenceRecord, bytes]:
        """Open a piece of evidence; the view is an audit event in the same transaction.

        A user must hold a role that may open evidence (compliance, admin).
        ``deliver`` (e.g. writing the bytes to a file) runs inside the transaction
        that writes the view's event: if it fails, the transaction rolls back and
        no view is recorded that did not happen. A failed open is recorded in a
        transaction of its own.
        """
        try:
            with self.db.write() as conn:
                record, data = self.open_in(conn, evidence_id, actor=actor, reason=reason)
                if deliver is not None:
                    deliver(data)  # a failure here rolls the view's event back with it
        except EvidenceUnreadable as exc:
            self.open_failed(evidence_id, exc.case_id, why=exc.why, actor=actor, reason=reason)
            raise
        return record, data

    def open_in(
        self, conn: Connection, evidence_id: str, *, actor: Actor, reason: str
    ) -> tuple[EvidenceRecord, bytes]:
        """Open evidence inside ``conn``'s transaction, writing its ``evidence_viewed`` event
        there (for a caller that puts the bytes in an export written in the same transaction).

        Raises ``EvidenceUnreadable`` (with ``case_id``) when it does not open; the caller
        records that with ``open_failed`` once its transaction is rolled back.
        """
        require(actor, Act.OPEN_EVIDENCE)
        if not self.keys.enabled:
            raise NotFound("no evidence key is configured, so no evidence can be opened")
        row = _row(conn, evidence_id)
        if row.ciphertext is None:
            raise NotFound(f"evidence {evidence_id} was purged at the end of its retention")
        try:
            data = self.keys.open(row.key_id, row.nonce, row.ciphertext, evidence_id.encode())
        except (KeyUnknown, InvalidTag) as exc:
            why = "sealed under another key" if isinstance(exc, KeyUnknown) else "does not open"
            raise EvidenceUnreadable(
                f"evidence {evidence_id} {why}: wrong key, or its bytes were altered",
                evidence_id=evidence_id,
                case_id=row.case_id,
                why=why,
            ) from None
        self.cases.record(
            row.case_id,
            EventKind.EVIDENCE_VIEWED,
            actor=actor,
            reason=reason,
            data={"evidence_id": evidence_id},
            conn=conn,
        )
        return _record(row), data

    def open_failed(
        self, evidence_id: str, case_id: str, *, why: str, actor: Actor, reason: str
    ) -> None:
        """Record that evidence did not open (who tried, why they tried, what happened)."""
        self.cases.record(
            case_id,
            EventKind.EVIDENCE_OPEN_FAILED,
            actor=actor,
            reason=reason,
            data={"evidence_id": evidence_id, "failure": why, "key_id": self.keys.current_id},
        )

    def hold(self, evidence_id: str, *, on: bool, actor: Actor, reason: str) -> EvidenceRecord:
        """Put evidence under legal hold (never purged) or release it (compliance, admin)."""
        require(actor, Act.OPEN_EVIDENCE)
        with self.db.write() as conn:
            row = _row(conn, evidence_id)
            conn.execute(
                update(case_evidence).where(case_evidence.c.id == evidence_id).values(legal_hold=on)
            )
            self.cases.record(
                row.case_id,
                EventKind.EVIDENCE_KEPT,
                actor=actor,
                reason=reason,
                data={"evidence_id": evidence_id, "legal_hold": on},
                conn=conn,
            )
            return _record(_row(conn, evidence_id))

    def purge(self, now: datetime | None = None, *, actor: str = "automated") -> int:
        """Drop the ciphertext of evidence past its retention and not on hold."""
        now = now or self.cases.clock()
        with self.db.write() as conn:
            due = conn.execute(
                select(case_evidence.c.id, case_evidence.c.case_id).where(
                    case_evidence.c.retain_until <= now,
                    case_evidence.c.legal_hold.is_(False),
                    case_evidence.c.ciphertext.is_not(None),
                )
            ).all()
            for evidence_id, case_id in due:
                conn.execute(
                    update(case_evidence)
                    .where(case_evidence.c.id == evidence_id)
                    .values(ciphertext=None, nonce=None, purged_at=now)
                )
                self.cases.record(
                    case_id,
                    EventKind.EVIDENCE_PURGED,
                    actor=actor,
                    reason="retention period over",
                    data={"evidence_id": evidence_id},
                    conn=conn,
                )
        return len(due)


def _row(conn: Connection, evidence_id: str) -> Row[Any]:
    row = conn.execute(select(case_evidence).where(case_evidence.c.id == evidence_id)).first()
    if row is None:
        raise NotFound(f"no evidence {evidence_id!r}")
    return row


def _record(row: object) -> EvidenceRecord:
    return EvidenceRecord.model_validate(row, from_attributes=True)
