"""Synthetic casework for bench/report.py: decisions, cases, notices, appeals, bank entries,
and a statement of reasons for every blocked upload and every removal.

Rows go in with bulk ``INSERT``s (one statement per chunk of rows, many chunks per
transaction), the fast path on SQLite and PostgreSQL alike. The shapes are the
ones the service writes (a case's JSON record, a notice's data, an appeal's
``appeal_decided`` event), so the report reads them exactly as it reads real ones;
the audit events carry placeholder hashes (the report never verifies the chain).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from consentgate.cases.statements.build import Restriction, StatementConfig, build
from consentgate.cases.statements.records import Harm, StatementSource
from consentgate.cases.statements.tdb import AutomatedDecision, SourceType
from consentgate.settings import Settings
from consentgate.store.agency_tables import agency_reports
from consentgate.store.banks_tables import bank_entries, banks
from consentgate.store.cases_tables import audit_events, cases, notices
from consentgate.store.database import Database
from consentgate.store.service_tables import decisions
from consentgate.store.statements_tables import statements

START = datetime(2026, 7, 1, tzinfo=UTC)
DAYS = 184
CHUNK = 5_000
KINDS = [  # kind, queue, share, from a notice
    ("take_it_down", "intimate_images", 0.30, True),
    ("uk_intimate_image", "intimate_images", 0.10, True),
    ("dsa_notice", "other", 0.20, True),
    ("child_safety", "child_safety", 0.05, True),
    ("automated_review", "other", 0.25, False),
    ("retro_match", "intimate_images", 0.08, False),
    ("automated_escalation", "child_safety", 0.02, False),
]
DEADLINE_H = {"child_safety": 1, "intimate_images": 48, "other": 168}
RULE_HARMS = {"R1": Harm.CHILD_SEXUAL_ABUSE, "R2": Harm.INTIMATE_IMAGE_ABUSE,
              "R3": Harm.SEXUAL_DEEPFAKE, "R4": Harm.SEXUAL_DEEPFAKE,
              "R6": Harm.ADULT_SEXUAL_CONTENT}  # fmt: skip
KIND_HARMS = {"child_safety": Harm.CHILD_SEXUAL_ABUSE, "automated_escalation":
              Harm.CHILD_SEXUAL_ABUSE, "automated_review": Harm.ADULT_SEXUAL_CONTENT}  # fmt: skip
KIND_SOURCES = {"take_it_down": SourceType.OTHER_NOTIFICATION, "uk_intimate_image":
                SourceType.OTHER_NOTIFICATION, "dsa_notice": SourceType.ARTICLE_16,
                "child_safety": SourceType.ARTICLE_16}  # fmt: skip
BLOCK_RULES = [(["R1"], 0.01), (["R2"], 0.30), (["R3"], 0.30), (["R4"], 0.15), (["R6"], 0.24)]


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(db: Database, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in chunks(rows):
        with db.write() as conn:
            conn.execute(insert(table), batch)
        count += len(batch)
    return count


class Statements:
    """Statement rows as the writer stores them: one built per kind, then copied per row
    with its own puid and dates (building each with pydantic would time the bench's set-up)."""

    def __init__(self) -> None:
        self.config = StatementConfig.from_settings(Settings())
        self.built: dict[tuple[Harm, SourceType, bool], dict[str, Any]] = {}
        self.rows: list[dict[str, Any]] = []

    def add(self, harm: Harm, source: SourceType, at: datetime, *, automated: bool,
            case_id: str | None = None, decision_id: str | None = None) -> None:  # fmt: skip
        key = (harm, source, automated)
        if key not in self.built:
            self.built[key] = self._template(*key)
        puid = f"sor-{uuid.uuid4().hex}"
        body = self.built[key]["statement"] | {
            "puid": puid,
            "application_date": at.date().isoformat(),
            "content_date": at.date().isoformat(),
        }
        self.rows.append({
            "id": puid, "created_at": at, "application_date": at.date(),
            "source": "case" if case_id else "upload", "harm": harm.value, "case_id": case_id,
            "decision_id": decision_id, "statement": body, "redress": self.built[key]["redress"],
        })  # fmt: skip

    def _template(self, harm: Harm, source: SourceType, automated: bool) -> dict[str, Any]:
        made = build(
            self.config,
            Restriction(
                statement_id="sor-template", harm=harm, decided_at=START, content_date=START.date(),
                facts="This content was reported. It was reviewed and removed.",
                source_type=source, automated_detection=source is SourceType.VOLUNTARY,
                automated_decision=AutomatedDecision.FULLY if automated
                else AutomatedDecision.NOT_AUTOMATED,
            ),
            source=StatementSource.CASE,
        )  # fmt: skip
        return {"statement": made.statement.body(), "redress": made.redress.model_dump(mode="json")}


def decision_rows(
    n: int, rng: random.Random, stated: Statements | None = None
) -> Iterator[dict[str, Any]]:
    rules_of = [r for r, _ in BLOCK_RULES]
    weights = [w for _, w in BLOCK_RULES]
    for _ in range(n):
        verdict = rng.choices(("allow", "review", "block"), (0.85, 0.03, 0.12))[0]
        rules = rng.choices(rules_of, weights)[0] if verdict == "block" else []
        if verdict == "review":
            rules = ["R12"]
        row = {
            "id": uuid.uuid4().hex, "key_id": None, "request_id": None,
            "created": START + timedelta(seconds=rng.uniform(0, DAYS * 86400)),
            "mode": rng.choices(("upload", "generate", "edit"), (0.5, 0.3, 0.2))[0],
            "verdict": verdict, "rules": rules, "escalate": rules == ["R1"],
            "policy_id": "default", "policy_version": "1", "image_hashes": [], "record": {},
        }  # fmt: skip
        if stated is not None and verdict == "block" and row["mode"] == "upload":
            stated.add(RULE_HARMS[rules[0]], SourceType.VOLUNTARY, row["created"],
                       automated=True, decision_id=row["id"])  # fmt: skip
        yield row


class Casework:
    """Cases with their notices and appeal events, made together so they agree."""

    def __init__(self, n: int, rng: random.Random, stated: Statements | None = None) -> None:
        self.stated = stated
        self.cases: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        kinds = [k for k in KINDS]
        for seq in range(n):
            kind, queue, _, noticed = rng.choices(kinds, [k[2] for k in kinds])[0]
            self._case(seq, kind, queue, noticed, rng)

    def _case(self, seq: int, kind: str, queue: str, noticed: bool, rng: random.Random) -> None:
        case_id = uuid.uuid4().hex
        received = START + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        deadline = received + timedelta(hours=DEADLINE_H[queue])
        record: dict[str, Any] = {
            "id": case_id, "kind": kind, "queue": queue, "state": "open", "item": {},
            "notice_id": None, "received_at": iso(received), "deadline_at": iso(deadline),
            "version": 1, "escalated": queue == "child_safety", "rank": 1,
        }  # fmt: skip
        data: dict[str, Any] = {}
        if noticed:
            notice_id = uuid.uuid4().hex
            record["notice_id"] = notice_id
            data = {"kind": kind, "cases": [case_id], "items": [{}]}
            if kind == "dsa_notice":
                data |= {"notifier_name": "N", "is_trusted_flagger": rng.random() < 0.2,
                         "alleged_category": "STATEMENT_CATEGORY_CYBER_VIOLENCE"}  # fmt: skip
            self.notices.append({"id": notice_id, "tracking_code": uuid.uuid4().hex,
                                 "kind": kind, "received_at": received, "data": data})  # fmt: skip
        if rng.random() < 0.9:
            decided = received + timedelta(hours=rng.lognormvariate(2.0, 1.2))
            action = "remove" if rng.random() < 0.7 else "no_action"
            record |= {"decided_at": iso(decided), "action": action,
                       "decided_by": "automated" if rng.random() < 0.15 else "alice",
                       "state": "actioned" if action == "remove" else "no_action"}  # fmt: skip
            if action == "remove" and self.stated is not None:
                source = KIND_SOURCES.get(kind, SourceType.VOLUNTARY)
                if kind == "dsa_notice" and data.get("is_trusted_flagger"):
                    source = SourceType.TRUSTED_FLAGGER
                harm = KIND_HARMS.get(kind, Harm.INTIMATE_IMAGE_ABUSE)
                automated = record["decided_by"] == "automated"
                self.stated.add(harm, source, decided, automated=automated, case_id=case_id)
            if rng.random() < 0.05:
                appealed = decided + timedelta(days=rng.uniform(1, 10))
                record |= {
                    "appealed_at": iso(appealed),
                    "state": "appealed",
                    "appeal_by": "affected_user" if action == "remove" else "reporter",
                }
                roll = rng.random()
                if roll < 0.95:
                    outcome = "upheld" if roll < 0.7 else "reversed"
                    record["state"] = outcome
                    self.events.append(
                        {
                            "case_id": case_id,
                            "outcome": outcome,
                            "at": appealed + timedelta(hours=rng.uniform(1, 72)),
                        }
                    )
        if queue == "child_safety" and rng.random() < 0.5:
            self.reports.append({
                "id": uuid.uuid4().hex, "case_id": case_id, "agency": "ncmec",
                "reference": str(10_000_000 + seq), "priority": None, "reported_at": received,
                "recorded_at": received, "recorded_by": "carol",
                "retain_until": received + timedelta(days=5 * 365),
            })  # fmt: skip
        self.cases.append({
            "id": case_id, "kind": kind, "queue": queue, "priority": 0, "state": record["state"],
            "notice_id": record["notice_id"], "received_at": received, "deadline_at": deadline,
            "version": 1, "record": record,
        })  # fmt: skip


def event_rows(events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for seq, e in enumerate(events, start=1):
        digest = uuid.uuid4().hex * 2
        yield {"seq": seq, "at": e["at"], "actor": "bob", "kind": "appeal_decided",
               "case_id": e["case_id"], "reason": "", "data": {"outcome": e["outcome"]},
               "prev_hash": "0" * 64, "hash": digest}  # fmt: skip


def bank_rows(n: int) -> Iterator[dict[str, Any]]:
    at = START
    for i in range(n):
        yield {"bank_id": 1 + i % 3, "pdq": None, "pdq_quality": None, "md5": f"{i:032x}",
               "source": "bench", "external_id": None, "added_at": at, "added_by": "bench",
               "note": "", "status": "active", "status_reason": None, "changed_at": at}  # fmt: skip


def fill(db: Database, n_decisions: int, n_cases: int, say: Callable[[str], None]) -> None:
    rng = random.Random(20261231)
    stated = Statements()
    say(f"  {bulk(db, decisions, decision_rows(n_decisions, rng, stated)):,} decisions")
    work = Casework(n_cases, rng, stated)
    bulk(db, notices, iter(work.notices))
    say(f"  {bulk(db, cases, iter(work.cases)):,} cases, {len(work.notices):,} notices")
    say(f"  {bulk(db, audit_events, event_rows(work.events)):,} appeal outcomes")
    bulk(db, agency_reports, iter(work.reports))
    say(f"  {bulk(db, statements, iter(stated.rows)):,} statements of reasons")
    with db.write() as conn:
        for bank_id, kind in ((1, "ncii"), (2, "takedown"), (3, "csam")):
            conn.execute(insert(banks).values(
                id=bank_id, name=f"{kind}-bank", kind=kind, threshold=31, enabled=True,
                description="", flood_max_matches=None, flood_window_s=3600, created_at=START,
            ))  # fmt: skip
    bulk(db, bank_entries, bank_rows(max(n_cases // 10, 3)))
