"""The vocabulary of casework: queues, states, event kinds, and the records built from them.

A case's state is never stored as truth: it is the projection of its events
(``cases.projection``), as in Bluesky's Ozone. Events are small typed records
with a stable kind, a UTC time, an actor (a person, or ``automated``) and a
reason; the same rows form the audit chain (``audit.chain``). An event a user
caused names them in ``actor`` and carries their id as ``data.user_id``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from consentgate.records import Record

AUTOMATED = "automated"
"""The actor of events no person caused (automated decisions, retro-matches)."""


class Queue(StrEnum):
    """Review queues, most urgent first."""

    CHILD_SAFETY = "child_safety"
    INTIMATE_IMAGES = "intimate_images"
    OTHER = "other"

    @property
    def priority(self) -> int:
        """Lower is served first: child safety > intimate images > the rest."""
        return list(Queue).index(self)


class CaseKind(StrEnum):
    """What opened the case: a notice of one kind, or an automated finding."""

    DSA_NOTICE = "dsa_notice"
    TAKE_IT_DOWN = "take_it_down"
    UK_INTIMATE_IMAGE = "uk_intimate_image"
    CHILD_SAFETY = "child_safety"
    AUTOMATED_REVIEW = "automated_review"  # a screen decided `review`
    AUTOMATED_ESCALATION = "automated_escalation"  # a screen escalated under R1
    RETRO_MATCH = "retro_match"  # screened content matched a bank entry added later
    BANK_ALERT = "bank_alert"  # a flood on a protected bank entry

    @property
    def queue(self) -> Queue:
        return _QUEUES.get(self, Queue.OTHER)


_QUEUES = {
    CaseKind.CHILD_SAFETY: Queue.CHILD_SAFETY,
    CaseKind.AUTOMATED_ESCALATION: Queue.CHILD_SAFETY,
    CaseKind.TAKE_IT_DOWN: Queue.INTIMATE_IMAGES,
    CaseKind.UK_INTIMATE_IMAGE: Queue.INTIMATE_IMAGES,
    CaseKind.RETRO_MATCH: Queue.INTIMATE_IMAGES,
    CaseKind.BANK_ALERT: Queue.INTIMATE_IMAGES,
}


URGENT, USUAL, UNLOCATED = 0, 1, 2
"""A case's ``rank`` within its queue (an escalated case counts as urgent)."""


def rank_of(kind: CaseKind) -> int:
    """The rank a case of ``kind`` opens with: automated R1 escalations (a CSAM hash, or a
    minor with sexual content) are urgent; a notice's intake may lower or raise it."""
    return URGENT if kind is CaseKind.AUTOMATED_ESCALATION else USUAL


class CaseState(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    ACTIONED = "actioned"
    NO_ACTION = "no_action"
    APPEALED = "appealed"
    UPHELD = "upheld"
    REVERSED = "reversed"


class EventKind(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    DECIDED = "decided"
    ACTION_SENT = "action_sent"
    ACTION_FAILED = "action_failed"
    APPEALED = "appealed"
    APPEAL_DECIDED = "appeal_decided"
    ESCALATED = "escalated"
    EVIDENCE_VIEWED = "evidence_viewed"
    EVIDENCE_KEPT = "evidence_kept"
    EVIDENCE_PURGED = "evidence_purged"
    EVIDENCE_OPEN_FAILED = "evidence_open_failed"  # wrong key or altered ciphertext
    EVIDENCE_REKEYED = "evidence_rekeyed"  # re-sealed under the current key
    BANK_CHANGED = "bank_changed"
    REPORT_EXPORTED = "report_exported"  # a child-safety report for NCMEC or the NCA was exported
    AGENCY_REPORTED = "agency_reported"  # the agency's reference for a report was recorded
    USER_CHANGED = "user_changed"  # added, disabled, password set, unlocked
    LOGGED_IN = "logged_in"  # a console session began
    LOGGED_OUT = "logged_out"  # a console session was ended by its user
    LOCKED_OUT = "locked_out"  # too many wrong passwords locked a console account
    STATEMENT_WRITTEN = "statement_written"  # a statement of reasons (no case_id: see writer)


class Action(StrEnum):
    """What a reviewer decides for a case."""

    REMOVE = "remove"
    NO_ACTION = "no_action"


class AppealOutcome(StrEnum):
    UPHELD = "upheld"  # the first decision stands
    REVERSED = "reversed"  # the first decision is undone


class Appellant(StrEnum):
    AFFECTED_USER = "affected_user"  # whose content was acted on
    REPORTER = "reporter"  # who filed the notice (a decision not to act is appealable too)


class Item(Record):
    """Where the reported content is: a URL, a content id, and/or image hashes.

    The image itself is never kept here: only its hashes (see ``evidence`` for
    the one exception the law requires).
    """

    url: str | None = Field(None, max_length=2000)
    content_id: str | None = Field(None, max_length=200)
    md5: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")
    pdq: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    pdq_quality: int | None = Field(None, ge=0, le=100)
    decision_id: str | None = Field(None, max_length=64, description="a screen's decision")


class CaseEvent(Record):
    """One event of the audit chain (``case_id`` is None for events about no case)."""

    seq: int
    at: datetime
    actor: str
    kind: EventKind
    case_id: str | None = None
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str


class Case(Record):
    """A case as its events make it (the projection), with its deadline."""

    id: str
    kind: CaseKind
    queue: Queue
    state: CaseState
    item: Item
    notice_id: str | None = None
    received_at: datetime
    deadline_at: datetime
    version: int = Field(description="events so far: a decision must name the version it saw")
    assigned_to: str | None = None
    decided_by: str | None = None
    decided_by_user: str | None = Field(
        None, description="the id of the user who decided (null when no user did)"
    )
    decided_at: datetime | None = None
    action: Action | None = None
    escalated: bool = False
    rank: int = Field(
        1,
        ge=0,
        le=2,
        description="order within its queue, set when opened: 0 urgent (an automated R1 "
        "escalation), 1 usual, 2 an anonymous report with neither image nor URL",
    )
    appeal_by: Appellant | None = None
    appealed_at: datetime | None = None
    appeal_decided_by: str | None = None
