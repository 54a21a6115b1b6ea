"""Recorded decisions: every screen's decision, in one transaction, never the image.

The decision id is what cases, appeals and statements of reasons refer to, so
the full record is kept exactly as returned, with two privacy cuts applied
before it is written: images are represented only by their hashes, and text
taken from the prompt (the prompt itself and matched ``span`` evidence) is kept
only when the ``store_prompts`` setting allows it for that verdict.

A screen by an API key that names its request ``id`` is decided once per key
and id (``screen_once``): a retry, after a timeout or a crash, gets the stored
decision back, and the same id with a different request is a 409. A unique
index settles two concurrent twins: the loser's insert fails, its transaction
rolls back, and it answers with the winner's decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from consentgate.errors import Conflict, NotFound
from consentgate.fields import storable
from consentgate.records import Decision, Record, ScreenRequest, Target, Verdict
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


class StoredRequest(Record):
    """A keyed screen's stored decision and the fingerprint of the request behind it."""

    decision: Decision
    request_sha256: str | None = None


class Screened(Record):
    """A screen's decision, and whether it was read back rather than decided now."""

    decision: Decision
    replayed: bool = False


class DuplicateRequest(Conflict):
    """Another screen with the same key and request id was recorded first."""


def request_fingerprint(request: ScreenRequest) -> str:
    """SHA-256 of what decides a screen: mode, prompt, history, subject and each image's SHA-256.

    The id is left out (it is the lookup key), and images count by content, so
    the JSON and multipart forms of one request have the same fingerprint. The
    history counts only when there is one, so a request without it keeps the
    fingerprint it had before conversations were read.
    """

    def digest(data: bytes | None) -> str | None:
        return hashlib.sha256(data).hexdigest() if data is not None else None

    parts: dict[str, object] = {
        "mode": request.mode.value,
        "prompt": request.prompt,
        "subject": request.subject.value if request.subject is not None else None,
        "source_image": digest(request.source_image),
        "output_image": digest(request.output_image),
    }
    if request.history:
        parts["history"] = list(request.history)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


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

    def __init__(
        self,
        db: Database,
        *,
        store_prompts: PromptStorage = PromptStorage.NONE,
        fingerprint: str | None = None,
    ) -> None:
        self.db = db
        self.store_prompts = store_prompts
        self.fingerprint = fingerprint

    def for_request(self, fingerprint: str) -> DecisionStore:
        """This store, recording the next decision with its request's fingerprint."""
        return DecisionStore(self.db, store_prompts=self.store_prompts, fingerprint=fingerprint)

    def record(
        self,
        decision: Decision,
        *,
        key_id: str | None = None,
        prompt: str | None = None,
        image_hashes: tuple[ImageHashes, ...] = (),
        conn: Connection | None = None,
    ) -> None:
        """Insert one decision row: in ``conn``'s transaction, or in its own.

        A decision for ``key_id`` with a ``request_id`` is unique per key and id:
        a second one raises DuplicateRequest (and its transaction rolls back).
        """
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
            "prompt": storable(prompt) if keep and prompt is not None else None,
            "record": record,
            "idempotency_key": decision.request_id if key_id is not None else None,
            "request_sha256": self.fingerprint,
        }
        try:
            # Parameters apart from the statement: SQLAlchemy compiles the INSERT once.
            if conn is not None:
                conn.execute(_INSERT, row)
                return
            with self.db.write() as own:
                own.execute(_INSERT, row)
        except IntegrityError:
            if row["idempotency_key"] is None:
                raise
            raise DuplicateRequest(
                f"request id {decision.request_id!r} was already screened for this key"
            ) from None

    def find_request(self, key_id: str, request_id: str) -> StoredRequest | None:
        """The decision recorded for ``key_id``'s request ``request_id``, if there is one."""
        query = select(decisions.c.record, decisions.c.request_sha256).where(
            decisions.c.key_id == key_id, decisions.c.idempotency_key == request_id
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredRequest(
            decision=Decision.model_validate(row.record), request_sha256=row.request_sha256
        )

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


def screen_once(
    store: DecisionStore,
    request: ScreenRequest,
    *,
    key_id: str,
    screen: Callable[[DecisionStore], Decision],
) -> Screened:
    """Decide ``request`` (which has an id) at most once for ``key_id``.

    ``screen`` screens and records through the store it is given (this one,
    bound to the request's fingerprint). A stored decision for the same key
    and id is returned as a replay when the request is the same; a different
    request under that id is a Conflict (409): answering it with another
    request's verdict could let it through.
    """
    assert request.id is not None
    fingerprint = request_fingerprint(request)
    stored = store.find_request(key_id, request.id)
    if stored is None:
        try:
            return Screened(decision=screen(store.for_request(fingerprint)))
        except DuplicateRequest:
            stored = store.find_request(key_id, request.id)  # a concurrent twin won
            if stored is None:
                raise
    if stored.request_sha256 != fingerprint:
        raise Conflict(
            f"request id {request.id!r} was already used for a different request; "
            "use a new id for a new request",
            field="id",
        )
    return Screened(decision=stored.decision, replayed=True)
