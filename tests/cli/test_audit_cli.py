"""``consentgate audit``: verify the chain (exit 1 names a tampered event), export, re-verify."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.tamper import as_superuser

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Three cases, each opened and decided on its own day (events 1-6)."""
    database = Database(settings.database_url)
    upgrade(database)
    for day in range(3):
        at = START + timedelta(days=day)
        service = CaseService(database, settings, clock=lambda at=at: at)  # type: ignore[misc]
        case = service.open(CaseKind.DSA_NOTICE, Item(url=f"https://example.com/{day}"))
        service.decide(case.id, Action.REMOVE, reason=f"reason {day}", actor="alice")
    yield database
    database.dispose()


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["audit", *args], obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def test_UK_16_when_nothing_was_touched_then_audit_verify_exits_0_with_count_and_head(
    settings: Settings, db: Database
) -> None:
    code, out, err = run(settings, "verify")
    assert code == 0, err
    assert out.startswith("intact: 6 events, head ") and len(out.split()[-1]) == 64


def test_UK_16_when_a_row_is_edited_through_sql_then_audit_verify_exit_1_names_the_edited_event(
    settings: Settings, db: Database
) -> None:
    with db.write() as conn:
        edit = "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 4"
        as_superuser(conn).execute(text(edit))
    code, out, err = run(settings, "verify")
    assert code == 1
    assert err == "error: event 4 was altered: its hash does not match\n"
    assert out == ""


def test_UK_16_when_the_chain_is_exported_to_a_file_then_it_reverifies_round_trip(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    out_file = tmp_path / "audit.jsonl"
    code, _, err = run(settings, "export", "--from", "2026-01-01T00:00:00Z",
                       "--to", "2027-01-01T00:00:00+01:00", "-o", str(out_file))  # fmt: skip
    assert code == 0, err
    assert "exported 6 events" in err
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    head = run(settings, "verify")[1].split()[-1]
    code, out, _ = run(settings, "verify", "--export", str(out_file))
    assert code == 0
    assert out == f"intact: 6 events, 1 to 6, linked to the start of the chain, head {head}\n"


def test_when_a_middle_day_is_exported_then_it_verifies_as_a_segment(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    code, out, _ = run(settings, "export", "--from", "2026-12-02T00:00:00Z",
                       "--to", "2026-12-03T00:00:00Z")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["seq"], r["kind"]) for r in rows] == [(3, "received"), (4, "decided")]
    segment = tmp_path / "day2.jsonl"
    segment.write_text(out)
    code, said, _ = run(settings, "verify", "--export", str(segment))
    assert code == 0 and said.startswith(
        f"intact: 2 events, 3 to 4, linked to {rows[0]['prev_hash']}"
    )


def test_when_an_exported_file_is_edited_then_verify_export_exit_1_names_the_event(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    out_file = tmp_path / "audit.jsonl"
    run(settings, "export", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z",
        "-o", str(out_file))  # fmt: skip
    out_file.write_text(out_file.read_text().replace("reason 1", "reason X"))
    code, _, err = run(settings, "verify", "--export", str(out_file))
    assert code == 1 and err == "error: event 4 was altered: its hash does not match\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "last week", "--to", "2027-01-01T00:00:00Z"], "error: --from: "),
        (["--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01"], "error: --to: "),
        (["--from", "2027-01-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z"], "error: the end"),
    ],
)
def test_when_the_export_range_is_bad_then_one_error_line_and_exit_2(
    settings: Settings, db: Database, args: list[str], message: str
) -> None:
    code, out, err = run(settings, "export", *args)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1 and out == ""
