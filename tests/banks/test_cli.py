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
