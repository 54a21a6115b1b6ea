"""consentgate evidence: list, view into a file (recorded), hold, purge at an instant."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from click.testing import CliRunner

from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from tests.api.conftest import png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


def _run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def test_CS_5_when_evidence_is_viewed_from_the_cli_then_it_is_written_to_a_file_and_recorded(
    tmp_path: Path,
) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cg.db'}", evidence_key=key)  # type: ignore[arg-type]
    notice = json.loads((EXAMPLES / "child_safety.json").read_text())
    notice["items"] = [{"image": base64.b64encode(png()).decode()}]
    (tmp_path / "n.json").write_text(json.dumps(notice))
    code, out, err = _run(settings, "notice", "submit", str(tmp_path / "n.json"), "--now",
                          "2026-12-01T10:00:00Z")  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["cases"][0]
    code, out, _ = _run(settings, "evidence", "list", case_id, "--json")
    (record,) = json.loads(out)
    target = tmp_path / "seen.png"
    assert _run(settings, "users", "add", "alice", "--role", "compliance")[0] == 0
    assert _run(settings, "users", "add", "mo", "--role", "moderator")[0] == 0
    code, _, err = _run(settings, "evidence", "view", record["id"], "--actor", "mo",
                        "--reason", "curious", "-o", str(target))  # fmt: skip
    assert code == 4 and "may not open evidence" in err and not target.exists()
    code, out, err = _run(settings, "evidence", "view", record["id"], "--actor", "alice",
                          "--reason", "NCMEC report", "-o", str(target))  # fmt: skip
    assert code == 0, err
    assert target.read_bytes() == png() and (target.stat().st_mode & 0o777) == 0o600
    code, _, err = _run(settings, "evidence", "view", record["id"], "--actor", "alice",
                        "--reason", "again", "-o", str(target))  # fmt: skip
    assert code == 2 and "exists" in err
    code, out, _ = _run(settings, "cases", "show", case_id, "--json")
    events = json.loads(out)["events"]
    assert [e["actor"] for e in events if e["kind"] == "evidence_viewed"] == ["alice"]
    assert _run(settings, "evidence", "purge", "--now", "2027-11-30T10:00:00Z")[1].startswith(
        "purged 0"
    )
    assert _run(settings, "evidence", "purge", "--now", "2027-12-01T10:00:01Z")[1].startswith(
        "purged 1"
    )


def _sealed(tmp_path: Path, key: str) -> tuple[Settings, str, str]:
    """A store with one child-safety notice whose image is sealed under ``key``."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cg.db'}", evidence_key=key)  # type: ignore[arg-type]
    notice = json.loads((EXAMPLES / "child_safety.json").read_text())
    notice["items"] = [{"image": base64.b64encode(png()).decode()}]
    (tmp_path / "n.json").write_text(json.dumps(notice))
    code, out, err = _run(settings, "notice", "submit", str(tmp_path / "n.json"))
    assert code == 0, err
    case_id = json.loads(out)["cases"][0]
    (record,) = json.loads(_run(settings, "evidence", "list", case_id, "--json")[1])
    assert _run(settings, "users", "add", "alice", "--role", "compliance")[0] == 0
    assert _run(settings, "users", "add", "ops", "--role", "admin")[0] == 0
    return settings, case_id, record["id"]


def _kinds(settings: Settings, case_id: str) -> list[str]:
    out = _run(settings, "cases", "show", case_id, "--json")[1]
    return [e["kind"] for e in json.loads(out)["events"]]


def test_when_view_output_is_a_dangling_link_then_exit_2_one_line_and_no_view_recorded(
    tmp_path: Path,
) -> None:
    settings, case_id, evidence_id = _sealed(tmp_path, base64.b64encode(os.urandom(32)).decode())
    link = tmp_path / "out.png"
    link.symlink_to(tmp_path / "elsewhere.png")
    code, out, err = _run(settings, "evidence", "view", evidence_id, "--actor", "alice",
                          "--reason", "report", "-o", str(link))  # fmt: skip
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "elsewhere.png").exists()
    assert "evidence_viewed" not in _kinds(settings, case_id)


def test_when_the_evidence_key_is_another_one_then_evidence_commands_exit_2_naming_key_ids(
    tmp_path: Path,
) -> None:
    settings, case_id, _ = _sealed(tmp_path, base64.b64encode(os.urandom(32)).decode())
    other = Settings(database_url=settings.database_url,
                     evidence_key=base64.b64encode(os.urandom(32)).decode())  # type: ignore[arg-type]  # fmt: skip
    code, _, err = _run(other, "evidence", "list", case_id)
    assert code == 2 and err.count("\n") == 1
    assert "does not open the newest sealed evidence" in err


def test_when_evidence_is_rekeyed_from_the_cli_then_the_new_key_alone_opens_it(
    tmp_path: Path,
) -> None:
    old = base64.b64encode(os.urandom(32)).decode()
    settings, case_id, evidence_id = _sealed(tmp_path, old)
    new = Settings(database_url=settings.database_url,
                   evidence_key=base64.b64encode(os.urandom(32)).decode())  # type: ignore[arg-type]  # fmt: skip
    (tmp_path / "old.key").write_text(old + "\n")
    code, out, err = _run(new, "evidence", "rekey", "--old-key-file", str(tmp_path / "old.key"),
                          "--actor", "ops")  # fmt: skip
    assert code == 0, err
    assert out.startswith("re-sealed 1 piece(s)") and "re-sealed 1, not opened 0" in err
    code, _, err = _run(new, "evidence", "view", evidence_id, "--actor", "alice",
                        "--reason", "report", "-o", str(tmp_path / "seen.png"))  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "seen.png").read_bytes() == png()
    assert _kinds(new, case_id)[-2:] == ["evidence_rekeyed", "evidence_viewed"]
