"""Which queues each role works: the one table the queue, case and appeals pages read.

Why per queue as well as per act (``people.ROLE_ACTS``): child-safety cases hold
sealed evidence and lead to reports to the authorities, so they are worked by
people chosen for it (Coop's ``VIEW_CHILD_SAFETY_DATA``); appeal reviewers, who
decide cases too, do not see that queue. Compliance sees the child-safety queue
(evidence, reports) but decides nothing: its role holds no ``decide`` act.

=============  ==========================================  ===========================
role           queues shown                                what it may do there
=============  ==========================================  ===========================
moderator      child_safety, intimate_images, other        decide, escalate, appeal for
appeals        intimate_images, other                      the same; decide appeals
compliance     child_safety                                read; open evidence
admin          every queue                                 everything
=============  ==========================================  ===========================

A case in a queue the user's role does not show is refused (403) on every page.
"""

from __future__ import annotations

from types import MappingProxyType

from consentgate.cases.records import Case, Queue
from consentgate.errors import Forbidden
from consentgate.people import Role, User

QUEUE_ACCESS = MappingProxyType(
    {
        Role.MODERATOR: frozenset(Queue),
        Role.APPEALS: frozenset({Queue.INTIMATE_IMAGES, Queue.OTHER}),
        Role.COMPLIANCE: frozenset({Queue.CHILD_SAFETY}),
        Role.ADMIN: frozenset(Queue),
    }
)


def queues_of(user: User) -> tuple[Queue, ...]:
    """The queues ``user``'s role shows, most urgent first (none for a disabled user)."""
    if not user.active:
        return ()
    return tuple(q for q in Queue if q in QUEUE_ACCESS[user.role])


def check_queue(user: User, queue: Queue) -> None:
    if queue not in queues_of(user):
        raise Forbidden(f"the {user.role.value} role does not work the {queue.value} queue")


def check_case(user: User, case: Case) -> None:
    """Refuse (403) a case in a queue ``user``'s role does not show."""
    check_queue(user, case.queue)
