"""consentgate hash / bank / match, end to end on a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from consentgate.cli.main import cli
from tests.hashing.samples import jpeg, rgb


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CONSENTGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'cg.db'}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jpg").write_bytes(jpeg(rgb("astronaut")))
    (tmp_path / "mirror.jpg").write_bytes(jpeg(np.ascontiguousarray(rgb("astronaut")[:, ::-1])))
    (tmp_path / "c.jpg").write_bytes(jpeg(rgb("coffee")))
    return CliRunner()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_when_images_are_hashed_with_json_then_each_has_the_documented_keys(
    run: CliRunner,
) -> None:
    rows = json.loads(_ok(run, "hash", "a.jpg", "c.jpg", "--json"))
    assert [sorted(r) for r in rows] == [["file", "md5", "pdq", "quality", "sha256"]] * 2
    assert rows[0]["file"] == "a.jpg" and len(rows[0]["pdq"]) == 64


def test_when_a_list_is_imported_then_match_finds_image_mirror_and_hash(run: CliRunner) -> None:
    pdq = json.loads(_ok(run, "hash", "a.jpg", "--json"))[0]["pdq"]
    Path("list.txt").write_text(f"# victims\n{pdq}\n")
    _ok(run, "bank", "create", "victims", "--kind", "ncii")
    assert "imported 1" in _ok(run, "bank", "import", "victims", "list.txt")
    out = json.loads(_ok(run, "match", "a.jpg", "mirror.jpg", "c.jpg", pdq, "--json"))
    assert [r["query"] for r in out] == ["a.jpg", "mirror.jpg", "c.jpg", pdq]
    assert [len(r["matches"]) for r in out] == [1, 1, 0, 1]
    assert sorted(out[0]["matches"][0]) == ["bank", "distance", "entry"]
    assert out[3]["matches"][0] == {"bank": "victims", "entry": "1", "distance": 0}
    listed = json.loads(_ok(run, "bank", "list", "--json"))
    assert [(b["name"], b["active_entries"]) for b in listed] == [("victims", 1)]
    assert _ok(run, "bank", "export", "victims").strip() == pdq
    _ok(run, "bank", "withdraw", "1")
    assert json.loads(_ok(run, "match", pdq, "--json"))[0]["matches"] == []


def test_when_an_import_has_bad_lines_then_each_is_reported_and_nothing_added(
    run: CliRunner,
) -> None:
    pdq = json.loads(_ok(run, "hash", "a.jpg", "--json"))[0]["pdq"]
    Path("bad.txt").write_text(f"{pdq}\nnot-hex\n{pdq[:60]}\n")
    _ok(run, "bank", "create", "victims", "--kind", "ncii")
    result = run.invoke(cli, ["bank", "import", "victims", "bad.txt"])
    assert result.exit_code == 1
    assert "bad.txt:2:" in result.output and "bad.txt:3:" in result.output
    assert json.loads(_ok(run, "bank", "list", "--json"))[0]["active_entries"] == 0


def test_when_an_entry_is_added_from_an_image_then_only_hashes_are_kept(run: CliRunner) -> None:
    _ok(run, "bank", "create", "consent", "--kind", "consent")
    added = json.loads(_ok(run, "bank", "add", "consent", "--image", "c.jpg", "--json"))
    assert added["entry"]["pdq"] and added["entry"]["md5"]
    assert json.loads(_ok(run, "match", "c.jpg", "--json"))[0]["matches"]


def test_when_entries_are_withdrawn_and_reinstated_with_json_then_records_are_printed(
    run: CliRunner,
) -> None:
    pdq = json.loads(_ok(run, "hash", "a.jpg", "--json"))[0]["pdq"]
    _ok(run, "bank", "create", "victims", "--kind", "ncii")
    _ok(run, "bank", "add", "victims", "--pdq", pdq, "--quality", "100")
    withdrawn = json.loads(_ok(run, "bank", "withdraw", "1", "--json"))
    assert [(e["id"], e["status"]) for e in withdrawn] == [(1, "withdrawn")]
    reinstated = json.loads(_ok(run, "bank", "reinstate", "1", "--json"))
    assert [(e["id"], e["status"]) for e in reinstated] == [(1, "active")]
    bank = json.loads(_ok(run, "bank", "update", "victims", "--disable", "--json"))
    assert (bank["name"], bank["enabled"]) == ("victims", False)


MD5 = "0123456789abcdef0123456789abcdef"
UNDECODABLE = "bad\udcffname"  # what a non-UTF-8 byte in argv becomes


@pytest.mark.parametrize(
    ("args", "field"),
    [
        pytest.param(("create", "bad name!", "--kind", "ncii"), "name", id="create-name"),
        pytest.param(
            ("create", "b2", "--kind", "ncii", "--flood-max", str(2**31)),
            "flood_max_matches",
            id="create-flood-past-integer",
        ),
        pytest.param(
            ("create", "b3", "--kind", "ncii", "--description", "a\x00b"),
            "description",
            id="create-description-nul",
        ),
        pytest.param(
            ("update", "victims", "--description", "\x1b[31m"),
            "description",
            id="update-description-escape",
        ),
        pytest.param(("update", UNDECODABLE, "--enable"), "name", id="update-undecodable-name"),
        pytest.param(("add", "victims", "--md5", MD5, "--note", "\x00"), "note", id="add-note-nul"),
        pytest.param(
            ("add", "victims", "--md5", MD5, "--external-id", "x" * 201),
            "external_id",
            id="add-external-id-too-long",
        ),
        pytest.param(("add", "victims", "--md5", "xyz"), "md5", id="add-md5-not-hex"),
        pytest.param(
            ("import", "victims", "list.txt", "--by", "x" * 201), "added_by", id="import-by"
        ),
        pytest.param(("export", UNDECODABLE), "name", id="export-undecodable-name"),
        pytest.param(("withdraw", str(2**63)), "entry_id", id="withdraw-past-bigint"),
        pytest.param(("withdraw", "1", "--reason", "gone\x00"), "reason", id="withdraw-reason"),
        pytest.param(("reinstate", "1", "--reason", ""), "reason", id="reinstate-empty-reason"),
        pytest.param(("findings", "--bank", UNDECODABLE), "bank", id="findings-undecodable"),
        pytest.param(("snapshot", "a.jpg/index"), "directory", id="snapshot-under-a-file"),
    ],
)
def test_when_a_bank_command_gets_bad_input_then_it_exits_2_with_one_line(
    run: CliRunner, args: tuple[str, ...], field: str
) -> None:
    _ok(run, "bank", "create", "victims", "--kind", "ncii")
    _ok(run, "bank", "add", "victims", "--md5", "f" * 32)
    Path("list.txt").write_text(MD5 + "\n")
    result = run.invoke(cli, ["bank", *args])
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert field in lines[0].lower(), result.output
    assert json.loads(_ok(run, "bank", "list", "--json"))[0]["active_entries"] == 1


@pytest.mark.parametrize(
    ("body", "line"),
    [
        pytest.param(f"md5,note\n{MD5},a\x00b\n", 2, id="nul"),
        # The file is read with universal newlines: the stray CR ends line 2.
        pytest.param(f'md5,note\n{MD5},\r"x\n', 3, id="stray-quote"),
        pytest.param(f"md5,note\n{MD5},{'n' * 131_073}\n", 2, id="field-past-csv-limit"),
    ],
)
def test_when_an_imported_csv_row_cannot_be_stored_then_its_line_is_reported(
    run: CliRunner, body: str, line: int
) -> None:
    _ok(run, "bank", "create", "victims", "--kind", "ncii")
    Path("list.csv").write_bytes(body.encode())
    result = run.invoke(cli, ["bank", "import", "victims", "list.csv"])
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"list.csv:{line}:" in result.output, result.output
    assert json.loads(_ok(run, "bank", "list", "--json"))[0]["active_entries"] == 0
