"""An appeal filed through a moderator's key, once per ``Idempotency-Key``.

Why: a moderator's client that loses the answer to an appeal and retries would
otherwise get ``409`` (the case is already under appeal) and cannot tell its
own appeal from someone else's. With a key (counted per API key and case), the
retry is answered as a replay; the appeal event and the replay row are one
transaction.
"""

from __future__ import annotations

from consentgate.cases.records import Appellant, Case
from consentgate.cases.replays import KeyedRequest, Outcome, ReplayStore
from consentgate.cases.service import CaseService
from consentgate.people import Actor
from consentgate.records import Record


class CaseAppealed(Record):
    """The appealed case, or (for a retry) None and ``replayed``: read the case as it is now."""

    case: Case | None = None
    replayed: bool = False


def appeal_once(
    service: CaseService,
    case_id: str,
    keyed: KeyedRequest | None,
    *,
    by: Appellant,
    text: str,
    actor: Actor,
) -> CaseAppealed:
    """``CaseService.appeal``, run at most once for ``keyed`` (always, without a key)."""
    replays = ReplayStore(service.db, service.clock)
    if keyed is not None and replays.replayed(keyed) is not None:
        return CaseAppealed(replayed=True)
    appealed: list[Case] = []
    done = replays.once(
        keyed,
        Outcome(result_id=case_id, status=200),
        lambda conn: appealed.append(
            service.appeal(case_id, by=by, text=text, actor=actor, conn=conn)
        ),
    )
    return CaseAppealed(case=None if done.replayed else appealed[0], replayed=done.replayed)
