"""Re-seal every piece of evidence under the current key (``consentgate evidence rekey``).

Why: rotating the evidence key must not strand what was sealed before. Items
not sealed under the current key are opened with an earlier key (given on the
command line or in ``CONSENTGATE_EVIDENCE_OLD_KEYS``), sealed again under the
current key with a fresh nonce, and an ``evidence_rekeyed`` event records each
one. Each batch is one transaction, so an interrupted run leaves every item
either old or new and a second run carries on where the first stopped (it only
picks items whose key id is not the current one). An item no given key opens is
an ``evidence_open_failed`` event and is left as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from sqlalchemy import or_, select, update

from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.evidence_keys import KeyUnknown
from consentgate.cases.records import EventKind
from consentgate.errors import ConfigError
from consentgate.people import Act, Actor, require
from consentgate.store.cases_tables import case_evidence

Progress = Callable[[int, int], None]
"""Called after each batch with (items re-sealed so far, items that did not open)."""


@dataclass(frozen=True, slots=True)
class Rekeyed:
    resealed: int
    failed: tuple[str, ...]


def rekey(
    vault: EvidenceVault, *, actor: Actor, batch: int = 50, progress: Progress | None = None
) -> Rekeyed:
    """Re-seal every item not under the current key; see the module docstring."""
    require(actor, Act.OPEN_EVIDENCE)
    keys = vault.keys
    current = keys.current_id
    if current is None:
        raise ConfigError("set CONSENTGATE_EVIDENCE_KEY to the new key before rekeying")
    resealed, failed, after = 0, list[str](), ""
    stale = or_(case_evidence.c.key_id.is_(None), case_evidence.c.key_id != current)
    while True:
        unopened: list[tuple[str, str]] = []
        with vault.db.write() as conn:
            rows = conn.execute(
                select(case_evidence)
                .where(case_evidence.c.ciphertext.is_not(None), stale, case_evidence.c.id > after)
                .order_by(case_evidence.c.id)
                .limit(batch)
            ).all()
            for row in rows:
                aad = row.id.encode()
                try:
                    data = keys.open(row.key_id, row.nonce, row.ciphertext, aad)
                except (KeyUnknown, InvalidTag):
                    unopened.append((row.id, row.case_id))
                    continue
                nonce = os.urandom(12)
                sealed_by, ciphertext = keys.seal(nonce, data, aad)
                conn.execute(
                    update(case_evidence)
                    .where(case_evidence.c.id == row.id)
                    .values(nonce=nonce, ciphertext=ciphertext, key_id=sealed_by)
                )
                vault.cases.record(
                    row.case_id,
                    EventKind.EVIDENCE_REKEYED,
                    actor=actor,
                    reason="re-sealed under the current evidence key",
                    data={"evidence_id": row.id, "from_key_id": row.key_id, "key_id": sealed_by},
                    conn=conn,
                )
                resealed += 1
        for evidence_id, case_id in unopened:
            vault.open_failed(
                evidence_id, case_id, why="no given key opens it", actor=actor, reason="rekey"
            )
            failed.append(evidence_id)
        if progress is not None:
            progress(resealed, len(failed))
        if len(rows) < batch:
            return Rekeyed(resealed=resealed, failed=tuple(failed))
        after = rows[-1].id
