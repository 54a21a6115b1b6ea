"""Enforcement of decisions: the hook that turns case events into queued actions.

Runs inside the transaction of every case event (``CaseService(hooks=...)``):

- a ``decided`` event with action ``remove`` queues a ``remove`` webhook and puts
  the item's hashes in the stay-down bank; a removal without a basis is refused,
  because the facts relied on are what shows good faith (TAKE IT DOWN Act,
  223a(a)(4)), and the refusal rolls the decision back;
- an ``appeal_decided`` event that reverses a removal queues a ``restore``
  webhook behind every removal the platform may have carried out (sent, in
  flight, or attempted without a definite answer), cancels a removal that never
  reached the platform, and withdraws the stay-down entry.

An unknown outcome is a possible outcome: a removal that timed out may have
been carried out, so its reversal is a restore queued behind it, never a
cancellation in its place. The removal is retried (or dead-lettered) first,
and the restore leaves only once it is settled (``outbox.ActionQueue.claim``
keeps each case's actions in decision order), so the platform ends in the state
the last decision says.

So a decision, its action and its stay-down entry commit together or not at
all; delivery happens later, from the queue (``cases.worker``).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection

from consentgate.banks.observer import BankObserver
from consentgate.cases import outbox, staydown
from consentgate.cases.outbox import ActionKind, ActionStatus
from consentgate.cases.records import Action, AppealOutcome, Case, CaseEvent, EventKind
from consentgate.cases.service import CaseHook
from consentgate.errors import BadInput
from consentgate.settings import Settings

log = logging.getLogger(__name__)


def idempotency_key(case: Case, kind: ActionKind, event: CaseEvent) -> str:
    """Stable for the action's life: the platform deduplicates retries on it."""
    return f"cg-{case.id}-{kind.value}-{event.seq}"


def _payload(case: Case, kind: ActionKind, event: CaseEvent, key: str) -> dict[str, Any]:
    return {
        "action": kind.value,
        "idempotency_key": key,
        "case_id": case.id,
        "case_kind": case.kind.value,
        "notice_id": case.notice_id,
        "item": case.item.model_dump(mode="json", exclude_none=True),
        "basis": event.reason,
        "decided_at": event.at.isoformat(),
        "audit_seq": event.seq,
    }


def remove(
    conn: Connection, case: Case, event: CaseEvent, observer: BankObserver
) -> outbox.CaseAction:
    if not event.reason.strip():
        raise BadInput(
            "a removal needs its basis: the facts relied on, as the reason", field="reason"
        )
    key = idempotency_key(case, ActionKind.REMOVE, event)
    payload = _payload(case, ActionKind.REMOVE, event, key)
    payload["stay_down"] = staydown.keep_down(conn, case, observer, actor=event.actor)
    return outbox.enqueue(
        conn, case_id=case.id, kind=ActionKind.REMOVE, key=key, payload=payload, now=event.at
    )


def restore(
    conn: Connection, case: Case, event: CaseEvent, observer: BankObserver
) -> outbox.CaseAction | None:
    """Undo every removal of the case; None when none may have reached the platform.

    A removal never carried out (never attempted, or refused every time without
    doubt) is cancelled; any other is followed by a restore, even one dead-lettered
    after timeouts: restoring an item the platform never removed is harmless,
    leaving one removed that it did remove is not.
    """
    restored: outbox.CaseAction | None = None
    for action in outbox.of_case(conn, case.id):
        if action.kind is not ActionKind.REMOVE or action.status is ActionStatus.CANCELLED:
            continue
        kept = action.payload.get("stay_down")
        if kept:
            staydown.release(conn, case, int(kept["entry_id"]), observer, actor=event.actor)
        if not action.may_have_happened and outbox.cancel(
            conn, action, "reversed on appeal before delivery"
        ):
            continue
        key = idempotency_key(case, ActionKind.RESTORE, event)
        if restored is not None:
            key = f"{key}-{action.id}"
        payload = _payload(case, ActionKind.RESTORE, event, key) | {
            "reverses": action.idempotency_key
        }
        restored = outbox.enqueue(
            conn,
            case_id=case.id,
            kind=ActionKind.RESTORE,
            key=key,
            payload=payload,
            now=event.at,
            after_id=action.id,  # never overtakes the removal it undoes
        )
    return restored


def action_hook(
    settings: Settings | None = None, *, observer: BankObserver | None = None
) -> CaseHook:
    """The CaseHook that queues actions and keeps removed items down.

    ``observer`` hears of the stay-down bank's changes and of the copies its sweep
    finds (pass the AutomatedCases the bank service uses); without one the bank
    changes are still written to the audit chain.
    """
    unsent = settings is not None and settings.webhook_url is None

    def hook(conn: Connection, case: Case, event: CaseEvent) -> None:
        queued: outbox.CaseAction | None = None
        told = observer or staydown.ChainedBankEvents(lambda: event.at)
        if event.kind is EventKind.DECIDED and event.data.get("action") == Action.REMOVE.value:
            queued = remove(conn, case, event, told)
        elif (
            event.kind is EventKind.APPEAL_DECIDED
            and event.data.get("outcome") == AppealOutcome.REVERSED.value
            and case.action is Action.REMOVE
        ):
            queued = restore(conn, case, event, told)
        if queued is not None and unsent:
            log.warning(
                "action %s (%s) waits in the queue: CONSENTGATE_WEBHOOK_URL is not set",
                queued.id,
                queued.kind.value,
            )

    return hook
