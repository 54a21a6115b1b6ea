"""People: users with roles, what each role may do, and when two names are one person.

Why this sits at the bottom of the package: the case service, the evidence
vault, the API keys and the shells all ask the same two questions (who is
acting, and may they do this?), and the answer must be written down once.
An actor is either a ``User`` (a real person, from a key bound to them or a
CLI ``--actor`` that names them) or a plain string for what no person did
(``automated``, ``notifier``, ``key:<id>`` for a key bound to nobody).

Names are compared only through ``name_key``: NFKC, case-folded, whitespace
runs collapsed and trimmed. So ``Alice``, ``alice``, `` alice `` and the
full-width ``ａｌｉｃｅ`` are one name, and a second user cannot be added
under any of them. A user is never renamed or deleted (only disabled), so a
name in the audit chain names one user for good.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from pydantic import Field

from consentgate.errors import Forbidden
from consentgate.records import Record


class Role(StrEnum):
    """What a person is there to do (see ``ROLE_ACTS``)."""

    MODERATOR = "moderator"
    APPEALS = "appeals"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


class Act(StrEnum):
    """Things only some roles may do."""

    DECIDE = "decide"  # decide or assign a case, file an appeal for an appellant
    DECIDE_APPEAL = "decide_appeal"  # uphold or reverse a decision under appeal
    CHANGE_BANKS = "change_banks"  # create and change banks and their entries
    OPEN_EVIDENCE = "open_evidence"  # open sealed evidence, put it on or off legal hold
    REPORT_CHILD_SAFETY = "report_child_safety"  # export NCMEC/NCA reports, record references
    MANAGE_USERS = "manage_users"  # add and disable users, set passwords, unlock (console)


ROLE_ACTS = MappingProxyType(
    {
        Role.MODERATOR: frozenset({Act.DECIDE, Act.CHANGE_BANKS}),
        Role.APPEALS: frozenset({Act.DECIDE, Act.DECIDE_APPEAL}),
        Role.COMPLIANCE: frozenset({Act.OPEN_EVIDENCE, Act.REPORT_CHILD_SAFETY}),
        Role.ADMIN: frozenset(Act),
    }
)
"""The one table of who may do what. An appeals reviewer may also decide cases, but
never an appeal on a decision of their own (``CaseService.decide_appeal``)."""

_DOING = {
    Act.DECIDE: "decide cases",
    Act.DECIDE_APPEAL: "decide appeals",
    Act.CHANGE_BANKS: "change banks",
    Act.OPEN_EVIDENCE: "open evidence",
    Act.REPORT_CHILD_SAFETY: "report to child-safety agencies",
    Act.MANAGE_USERS: "manage users",
}

RESERVED_NAMES = frozenset({"automated", "notifier", "operator", "reporter", "affected_user"})
"""Actors that are not people: no user may take these names."""


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, whitespace collapsed.

    NFKC runs again after case-folding because folding can leave a string that
    is no longer normalised (the Unicode ``NFKC_Casefold`` idea).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


class User(Record):
    """A person who acts on cases, appeals, evidence and banks."""

    id: str
    name: str = Field(description="as given when the user was added; shown in the audit chain")
    role: Role
    created: datetime
    disabled: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled is None

    def may(self, act: Act) -> bool:
        return self.active and act in ROLE_ACTS[self.role]


Actor = User | str
"""Who makes a change: a person, or a string naming what no person did."""


def actor_name(actor: Actor) -> str:
    return actor.name if isinstance(actor, User) else actor


def require(actor: Actor, act: Act) -> None:
    """Refuse (403) a user whose role does not allow ``act``, or who is disabled.

    A string actor is not a person and is not checked here: the shells never
    let a caller choose one (see ``docs/security.md``).
    """
    if not isinstance(actor, User):
        return
    if not actor.active:
        raise Forbidden(f"user {actor.name!r} is disabled")
    if not actor.may(act):
        raise Forbidden(f"the {actor.role.value} role may not {_DOING[act]}")
