"""A small store whose every count is known by construction, for the report tests.

Times are minutes after ``START`` (2026-12-01 10:00 UTC); the period under test
is December 2026. What is built (and so what each report must say):

* notices: 2 TAKE IT DOWN (one listing 2 items), 1 DSA notice from a trusted
  flagger alleging STATEMENT_CATEGORY_CYBER_VIOLENCE, 1 anonymous child-safety
  notice that reports a threat to life; one TAKE IT DOWN notice arrives in
  November (outside the period).
* decisions on notice items: the TIDA items removed after 30 and 90 minutes
  (the 90-minute one by ``automated``), the third TIDA item removed after 50
  hours (past its 48-hour deadline), the trusted flagger's item not acted on
  after 10 minutes and then appealed by the reporter and reversed.
* automated cases: a retro-match removed after 20 minutes by a person; an
  automated review left open past its 7-day deadline.
* screens: uploads 3 allowed, 2 blocked by R2, 1 blocked by R1 (escalated),
  1 blocked by R6; generation requests 4 allowed, 2 blocked by R3, 1 review.
* statements of reasons, one per restriction: the three TIDA removals, the
  retro-match removal and the four blocked uploads (none for the refused
  generation requests, nor for the no-action the appeal reversed).
* banks: ``ncii-main`` with 3 active entries and 1 withdrawn; ``csam-list``
  empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.records import AUTOMATED, Action, AppealOutcome, Appellant, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cases.statements.build import StatementConfig
from consentgate.cases.statements.writer import StatementWriter
from consentgate.records import Decision, Mode, Reason, Signal, Target, Verdict
from consentgate.service.decisions import DecisionStore
from consentgate.settings import Settings
from consentgate.store.banks_tables import bank_entries, banks
from consentgate.store.database import Database
from tests.cases.conftest import START, MovableClock

PERIOD = ("2026-12-01", "2026-12-31")
MD5 = "0123456789abcdef0123456789abcdef"


def tida(n_items: int = 1) -> dict[str, Any]:
    return {
        "kind": "take_it_down",
        "signature": "Jane Doe",
        "items": [{"url": f"https://example.com/p/{i}"} for i in range(n_items)],
        "good_faith_statement": True,
        "contact_info": {"email": "jane@example.org"},
        "submitted_by_role": "self",
    }


DSA_TRUSTED = {
    "kind": "dsa_notice",
    "explanation": "an intimate image shared without consent",
    "items": [{"url": "https://example.com/p/tf"}],
    "notifier_name": "Hotline",
    "notifier_email": "desk@hotline.example",
    "bona_fide_statement": True,
    "alleged_category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "is_trusted_flagger": True,
    "trusted_flagger_id": "TF-1",
}
CHILD = {
    "kind": "child_safety",
    "explanation": "a child is in danger in this video",
    "items": [{"url": "https://example.com/p/child"}],
    "bona_fide_statement": True,
    "threat_to_life": True,
}


@dataclass
class World:
    db: Database
    cases: CaseService
    clock: MovableClock
    statements: StatementWriter
    ids: dict[str, str] = field(default_factory=dict)

    def at(self, minutes: float) -> None:
        self.clock.now = START + timedelta(minutes=minutes)

    def notice(self, name: str, data: dict[str, Any], minutes: float) -> list[str]:
        self.at(minutes)
        receipt = NoticeService(self.db, self.cases, self.clock).submit(
            parse_notice(json.dumps(data))
        )
        for n, case_id in enumerate(receipt.cases):
            self.ids[f"{name}.{n}"] = case_id
        return list(receipt.cases)

    def decide(self, name: str, action: Action, minutes: float, actor: str = "alice") -> None:
        self.at(minutes)
        self.cases.decide(self.ids[name], action, reason="checked", actor=actor)

    def screen(
        self, mode: str, verdict: str, rules: list[str], n: int, escalate: bool = False
    ) -> list[Decision]:
        """``n`` screens made an hour after START, recorded as the service records them: a
        blocked upload with its statement of reasons, in the same transaction."""
        made = [_decision(mode, verdict, rules, escalate) for _ in range(n)]
        with self.db.write() as conn:
            for decision in made:
                decision = self.statements.for_upload(conn, decision)
                DecisionStore(self.db).record(decision, conn=conn)
        return made


LABELS = {"R1": "bank_match_csam", "R2": "bank_match_ncii", "R3": "sexualising_edit",
          "R4": "real_person", "R6": "sexual_explicit"}  # fmt: skip
"""The signal behind each blocking rule of the world's screens (their statements read it)."""


def _decision(mode: str, verdict: str, rules: list[str], escalate: bool) -> Decision:
    signals = {
        rule: Signal(
            detector="fake", detector_version="1", label=LABELS[rule],
            target=Target.SOURCE_IMAGE, score=0.9, threshold=0.5,
        )
        for rule in rules
        if rule in LABELS
    }  # fmt: skip
    return Decision(
        created=START + timedelta(hours=1),
        mode=Mode(mode),
        decision=Verdict(verdict),
        reasons=tuple(
            Reason(
                rule=rule,
                verdict=Verdict(verdict),
                description=rule,
                signals=(signals[rule],) if rule in signals else (),
            )
            for rule in rules
        ),
        escalate=escalate,
        policy_id="default",
        policy_version="1",
    )


def build_world(db: Database, cases: CaseService, clock: MovableClock) -> World:
    """The world above, with a statement of reasons for every restriction in it (as
    ``cases.wiring`` builds the case system)."""
    writer = StatementWriter(StatementConfig.from_settings(Settings(database_url=db.url)))
    cases.hooks.append(writer.hook())
    w = World(db, cases, clock, writer)
    w.notice("november", tida(), minutes=-60 * 24 * 5)
    w.notice("tida1", tida(2), minutes=0)
    w.notice("tida2", tida(), minutes=10)
    w.notice("tf", DSA_TRUSTED, minutes=20)
    w.notice("child", CHILD, minutes=25)
    w.decide("tida1.0", Action.REMOVE, 30)
    w.decide("tida1.1", Action.REMOVE, 90, actor=AUTOMATED)
    w.decide("tida2.0", Action.REMOVE, 10 + 50 * 60)
    w.decide("tf.0", Action.NO_ACTION, 30)
    w.at(40)
    cases.appeal(w.ids["tf.0"], by=Appellant.REPORTER, text="it is still up", actor="notifier")
    w.at(100)
    cases.decide_appeal(w.ids["tf.0"], AppealOutcome.REVERSED, reason="consent absent", actor="bob")
    w.at(60)
    w.ids["retro"] = cases.open(CaseKind.RETRO_MATCH, Item(decision_id="d1")).id
    w.decide("retro", Action.REMOVE, 80)
    w.at(0)
    w.ids["review"] = cases.open(CaseKind.AUTOMATED_REVIEW, Item(decision_id="d2")).id
    w.screen("upload", "allow", [], 3)
    w.screen("upload", "block", ["R2"], 2)
    w.screen("upload", "block", ["R1", "R6"], 1, escalate=True)
    w.screen("upload", "block", ["R6"], 1)
    w.screen("generate", "allow", [], 4)
    w.screen("generate", "block", ["R3"], 2)
    w.screen("generate", "review", ["R12"], 1)
    with db.write() as conn:
        at = datetime(2026, 11, 1, tzinfo=UTC)
        for bank_id, name, kind in ((1, "ncii-main", "ncii"), (2, "csam-list", "csam")):
            conn.execute(
                insert(banks).values(
                    id=bank_id, name=name, kind=kind, threshold=31, enabled=True,
                    description="", flood_max_matches=None, flood_window_s=3600, created_at=at,
                )
            )  # fmt: skip
        conn.execute(
            insert(bank_entries),
            [
                {
                    "bank_id": 1, "pdq": None, "pdq_quality": None, "md5": MD5, "source": "t",
                    "external_id": None, "added_at": at, "added_by": "t", "note": "",
                    "status": status, "status_reason": None, "changed_at": at,
                }
                for status in ("active", "active", "active", "withdrawn")
            ],
        )  # fmt: skip
    return w
