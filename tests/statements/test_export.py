"""``consentgate sor``: exports checked statement by statement, as JSON lines and as batches
of at most 100, streamed with no cap; bad input exits 2 with one line (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from consentgate.cases.statements import store
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.statements_tables import statements
from tests.statements.samples import body, stored


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    upgrade(database)
    yield database
    database.dispose()


def sor(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sor", *args], obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_EU_9_when_statements_are_exported_then_every_page_is_streamed_in_order(
    settings: Settings, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "PAGE", 3)  # several pages, each its own read
    ids = stored(db, 8, per_day=2)
    code, _, err = sor(settings, "export", "--out", str(tmp_path / "sor.jsonl"))
    assert code == 0, err
    assert [line["puid"] for line in _lines(tmp_path / "sor.jsonl")] == ids
    assert "8/8" in err and "exported 8 statement(s)" in err  # progress on stderr
    code, _, err = sor(
        settings, "export", "--from", "2026-12-02", "--to", "2026-12-03",
        "--out", str(tmp_path / "two-days.jsonl"),
    )  # fmt: skip
    assert code == 0, err
    assert [line["puid"] for line in _lines(tmp_path / "two-days.jsonl")] == ids[2:6]


def test_EU_9_when_exported_as_batches_then_each_body_holds_at_most_100(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    ids = stored(db, 250, per_day=50)
    code, _, err = sor(settings, "export", "--batch", "--out", str(tmp_path / "batches"))
    assert code == 0, err
    files = sorted((tmp_path / "batches").iterdir())
    assert [f.name for f in files] == [f"statements-00000{n}.json" for n in (1, 2, 3)]
    bodies = [json.loads(f.read_text()) for f in files]
    assert [len(b["statements"]) for b in bodies] == [100, 100, 50]
    assert [s["puid"] for b in bodies for s in b["statements"]] == ids
    assert sor(settings, "export", "--batch", "--out", str(tmp_path / "batches"))[0] == 2
    code, out, err = sor(settings, "validate", str(files[0]))
    assert (code, out) == (0, "valid: 100 statement(s)\n"), err
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(bodies[2], indent=2))
    assert sor(settings, "validate", str(pretty))[1] == "valid: 50 statement(s)\n"


def test_EU_9_when_a_stored_statement_is_broken_then_the_export_stops_naming_it_and_its_field(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    ids = stored(db, 3)
    broken = body(n=1)
    broken["decision_facts"] += " Contact jo.doe@example.org."
    with db.write() as conn:
        conn.execute(update(statements).where(statements.c.id == ids[1]).values(statement=broken))
    out = tmp_path / "out"
    out.mkdir()
    for args in (["--out", str(out / "sor.jsonl")], ["--batch", "--out", str(out / "b")]):
        code, _, err = sor(settings, "export", *args)
        assert code == 2
        assert err.splitlines()[-1] == (
            f"error: statement {ids[1]}: decision_facts: contains personal data: an e-mail address"
        )
    assert [p for p in out.rglob("*") if p.is_file()] == []  # nothing half-made


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-12-1"], "error: --from: '2026-12-1' is not a date written YYYY-MM-DD"),
        (["--to", "tomorrow"], "error: --to: 'tomorrow' is not a date written YYYY-MM-DD"),
        (
            ["--from", "2026-12-02", "--to", "2026-12-01"],
            "error: the end of the range comes before its start",
        ),
    ],
)
def test_when_the_range_is_bad_then_exit_2_with_one_line(
    settings: Settings, db: Database, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = sor(settings, "export", *args, "--out", str(tmp_path / "x.jsonl"))
    assert (code, out, err) == (2, "", message + "\n")


def test_when_the_output_exists_then_exit_2_unless_forced(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    stored(db, 1)
    out = tmp_path / "sor.jsonl"
    out.write_text("keep me\n")
    code, _, err = sor(settings, "export", "--out", str(out))
    assert code == 2 and err == f"error: {out} exists: pass --force to write over it\n"
    assert out.read_text() == "keep me\n"
    assert sor(settings, "export", "--out", str(out), "--force")[0] == 0
    assert len(_lines(out)) == 1


def test_EU_9_when_a_file_of_statements_is_validated_then_each_fault_names_line_and_field(
    settings: Settings, tmp_path: Path
) -> None:
    good, twin, bad = body(n=1), body(n=1), body(n=2)
    bad["territorial_scope"] = ["EL"]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in (good, twin, bad)))
    code, _, err = sor(settings, "validate", str(path))
    assert code == 1
    assert err.splitlines() == [
        "line 2: puid: is not unique: an earlier statement has it",
        "line 3: territorial_scope: 'EL' is not one of the accepted values",
        "2 of 3 statement(s) fail",
    ]
    path.write_text("{not json\n")
    assert sor(settings, "validate", str(path))[0] == 2


def test_when_a_statement_is_shown_then_it_has_its_redress(
    settings: Settings, db: Database
) -> None:
    (sid,) = stored(db, 1)
    code, out, _ = sor(settings, "show", sid)
    assert code == 0
    shown = json.loads(out)
    assert shown["statement"]["puid"] == sid and "Art. 21" in shown["redress"]["other_routes"]
    assert sor(settings, "show", "sor-missing")[0] == 3
