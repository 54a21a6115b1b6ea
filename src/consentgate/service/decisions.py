"""Recorded decisions: every screen's decision, in one transaction, never the image.

The decision id is what cases, appeals and statements of reasons refer to, so
the full record is kept exactly as returned, with two privacy cuts applied
before it is written: images are represented only by their hashes, and text
taken from the prompt (the prompt itself and matched ``span`` evidence) is kept
only when the ``store_prompts`` setting allows it for that verdict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from consentgate.errors import NotFound
from consentgate.records import Decision, Record, Target, Verdict
from consentgate.settings import PromptStorage
from consentgate.store.database import Database
from consentgate.store.service_tables import decisions


class ImageHashes(Record):
    """The hashes of one screened image (the image itself is never stored)."""

    target: Target
    md5: str
    sha256: str
    pdq: str | None = None
    pdq_quality: int | None = None


class RecordedDecision(Record):
    """A decision as stored: the record plus who asked and what was screened."""

    decision: Decision
    key_id: str | None = None
    image_hashes: tuple[ImageHashes, ...] = ()
    prompt: str | None = None


_INSERT = decisions.insert()


def keeps_prompt(policy: PromptStorage, verdict: Verdict) -> bool:
    """Whether a decision with this verdict may keep the prompt's text."""
    if policy is PromptStorage.ALL:
        return True
    return policy is PromptStorage.FLAGGED and verdict is not Verdict.ALLOW


_SIGNAL_SPANS: dict[str, Any] = {"__all__": {"evidence": {"__all__": {"span"}}}}
WITHOUT_SPANS: dict[str, Any] = {
    "signals": _SIGNAL_SPANS,
    "reasons": {"__all__": {"signals": _SIGNAL_SPANS}},
}
"""Matched prompt text (``Evidence.span``) left out of a stored record; read back as None."""


class DecisionStore:
    """Write and read recorded decisions."""

    def __init__(self, db: Database, *, store_prompts: PromptStorage = PromptStorage.NONE) -> None:
        self.db = db
        self.store_prompts = store_prompts

    def record(
        self,
        decision: Decision,
        *,
        key_id: str | None = None,
        prompt: str | None = None,
        image_hashes: tuple[ImageHashes, ...] = (),
        conn: Connection | None = None,
    ) -> None:
        """Insert one decision row: in ``conn``'s transaction, or in its own."""
        keep = keeps_prompt(self.store_prompts, decision.decision)
        record = decision.model_dump(mode="json", exclude=None if keep else WITHOUT_SPANS)
        row = {
            "id": decision.id,
            "created": decision.created,
            "key_id": key_id,
            "request_id": decision.request_id,
            "mode": decision.mode.value,
            "verdict": decision.decision.value,
            "rules": [r.rule for r in decision.reasons],
            "escalate": decision.escalate,
            "policy_id": decision.policy_id,
            "policy_version": decision.policy_version,
            "image_hashes": [h.model_dump(mode="json") for h in image_hashes],
            "prompt": prompt if keep else None,
            "record": record,
        }
        # Parameters apart from the statement: SQLAlchemy compiles the INSERT once.
        if conn is not None:
            conn.execute(_INSERT, row)
            return
        with self.db.write() as own:
            own.execute(_INSERT, row)

    def get_recorded(self, decision_id: str) -> RecordedDecision:
        with self.db.read() as conn:
            row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
        if row is None:
            raise NotFound(f"no decision with id {decision_id!r}")
        m = row._mapping
        return RecordedDecision(
            decision=Decision.model_validate(m["record"]),
            key_id=m["key_id"],
            image_hashes=tuple(ImageHashes.model_validate(h) for h in m["image_hashes"]),
            prompt=m["prompt"],
        )

    def get(self, decision_id: str) -> Decision:
        return self.get_recorded(decision_id).decision

    def count(self, *, key_id: str | None = None) -> int:
        query = select(func.count()).select_from(decisions)
        if key_id is not None:
            query = query.where(decisions.c.key_id == key_id)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())
