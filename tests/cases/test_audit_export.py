"""Audit exports: JSON lines a third party re-verifies, whole or as a segment from mid-chain."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentgate.audit.chain import GENESIS, ChainBroken
from consentgate.audit.export import EXPORTED_FIELDS, export_lines, verify_export
from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput
from consentgate.store.database import Database
from tests.cases.conftest import START, MovableClock

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _day_by_day(service: CaseService, clock: MovableClock, days: int = 3) -> None:
    """One case opened and decided per day: two events a day, the first day at START."""
    for n in range(days):
        case = service.open(CaseKind.DSA_NOTICE, Item(url=f"https://example.com/{n}"))
        clock.advance(hours=1)
        service.decide(case.id, Action.REMOVE, reason=f"réason {n}", actor="alice")
        clock.advance(hours=23)


def _reverify(lines: list[str]) -> str:
    """The documented algorithm, written out as a third party would (no ConsentGate code)."""
    prev = None
    for line in lines:
        event = json.loads(line)
        if prev is not None:
            assert event["prev_hash"] == prev
        fields = {k: event[k] for k in ("seq", "at", "actor", "kind", "case_id", "reason", "data")}
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(event["prev_hash"].encode() + canonical.encode()).hexdigest()
        assert digest == event["hash"]
        prev = event["hash"]
    assert prev is not None
    return prev


def test_UK_16_when_the_whole_chain_is_exported_then_it_reverifies_from_genesis(
    service: CaseService, db: Database, clock: MovableClock
) -> None:
    _day_by_day(service, clock)
    lines = list(export_lines(db, *EVER))
    assert len(lines) == 6 and all(line.endswith("\n") for line in lines)
    assert list(json.loads(lines[0])) == list(EXPORTED_FIELDS)
    assert json.loads(lines[0])["prev_hash"] == GENESIS
    segment = verify_export(lines)
    assert (segment.events, segment.first_seq, segment.last_seq) == (6, 1, 6)
    assert segment.from_genesis
    assert _reverify(lines) == segment.head


def test_when_a_middle_range_is_exported_then_it_verifies_as_a_segment_linked_to_its_predecessor(
    service: CaseService, db: Database, clock: MovableClock
) -> None:
    _day_by_day(service, clock)
    whole = list(export_lines(db, *EVER))
    middle = list(export_lines(db, START + timedelta(days=1), START + timedelta(days=2)))
    assert [json.loads(line)["seq"] for line in middle] == [3, 4]
    segment = verify_export(middle)
    assert not segment.from_genesis
    assert segment.prev_hash == json.loads(whole[1])["hash"]  # joins the export before it
    assert _reverify(middle) == json.loads(whole[3])["hash"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows[1].update(reason="edited"), "event 4 was altered"),
        (lambda rows: rows[0]["data"].update(action="no_action"), "event 3 was altered"),
        (lambda rows: rows.pop(1), "event 4 is missing"),
        (lambda rows: rows.insert(0, rows.pop(1)), "found event 3 in its place"),
        (lambda rows: rows[2].update(prev_hash=GENESIS), "event 5 does not link to event 4"),
    ],
)
def test_UK_16_when_an_exported_line_is_tampered_with_then_verify_export_names_the_event(
    service: CaseService, db: Database, clock: MovableClock, edit: object, message: str
) -> None:
    _day_by_day(service, clock)
    rows = [json.loads(line) for line in export_lines(db, START + timedelta(days=1), EVER[1])]
    edit(rows)  # type: ignore[operator]
    with pytest.raises(ChainBroken, match=message):
        verify_export([json.dumps(r, ensure_ascii=False) for r in rows])


@pytest.mark.parametrize(
    ("line", "message"),
    [("not json", "line 1 is not JSON"), ('{"seq": 1}', "line 1 is not an audit event")],
)
def test_when_an_export_line_is_not_an_event_then_verify_export_says_which_line(
    line: str, message: str
) -> None:
    with pytest.raises(ChainBroken, match=message):
        verify_export([line])


def test_when_a_range_holds_no_event_then_the_export_is_empty_and_verifies(
    service: CaseService, db: Database, clock: MovableClock
) -> None:
    _day_by_day(service, clock, days=1)
    lines = list(export_lines(db, START - timedelta(days=2), START - timedelta(days=1)))
    assert lines == [] and verify_export(lines).events == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [(EVER[1], EVER[0]), (datetime(2026, 1, 1), EVER[1])],  # reversed; no time zone
)
def test_when_a_range_is_backwards_or_has_no_zone_then_bad_input(
    db: Database, start: datetime, end: datetime
) -> None:
    with pytest.raises(BadInput):
        export_lines(db, start, end)


def test_when_the_verifier_in_docs_cases_md_is_run_on_an_export_then_it_passes_and_catches_edits(
    service: CaseService, db: Database, clock: MovableClock, tmp_path: Path
) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cases.md").read_text()
    script = doc.split("```python\n", 1)[1].split("```", 1)[0]
    _day_by_day(service, clock)
    middle = "".join(export_lines(db, START + timedelta(days=1), EVER[1]))
    (tmp_path / "dec.jsonl").write_text(middle, encoding="utf-8")
    run = [sys.executable, "-c", script]
    assert subprocess.run(run, cwd=tmp_path, capture_output=True).returncode == 0
    (tmp_path / "dec.jsonl").write_text(middle.replace("réason 2", "reason 2"), encoding="utf-8")
    assert subprocess.run(run, cwd=tmp_path, capture_output=True).returncode == 1
