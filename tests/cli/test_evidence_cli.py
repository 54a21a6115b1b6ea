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
