"""Round trip: the README's takedown walk-through, then its statements exported and checked;
each kind of broken statement is refused with its field named (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.service.keys import Scope
from consentgate.settings import Settings
from tests.api.conftest import b64, make_settings, running
from tests.hashing.samples import jpeg, rgb
from tests.statements.test_validator import BROKEN

ROOT = Path(__file__).resolve().parents[2]
PHOTO = jpeg(rgb("astronaut"), quality=92)


def _copy_of(photo: bytes) -> bytes:
    """What a re-uploader posts: smaller and re-encoded (as in the README)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo)).resize((384, 384)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _run(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), obj=AppContext(settings=settings))
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def _walk_through(settings: Settings, tmp_path: Path) -> str:
    """The README's casework steps up to the removal; the case id."""
    notice = json.loads((ROOT / "examples" / "notices" / "take_it_down.json").read_text())
    notice["items"][0]["image"] = base64.b64encode(PHOTO).decode()
    request = tmp_path / "request.json"
    request.write_text(json.dumps(notice))
    case_id = str(json.loads(_run(settings, "notice", "submit", str(request)))["cases"][0])
    _run(settings, "users", "add", "alice", "--role", "moderator")
    _run(settings, "users", "add", "bob", "--role", "appeals")
    _run(
        settings, "cases", "decide", case_id, "--action", "remove", "--actor", "alice",
        "--reason", "intimate image shared without consent, reported by the person shown",
    )  # fmt: skip
    return case_id


def test_EU_7_EU_8_EU_9_when_the_readme_walk_through_runs_then_its_statements_validate(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url)
    case_id = _walk_through(settings, tmp_path)
    with running(settings) as api:  # the re-upload, through /v1/screen: blocked by stay-down
        api.services.banks.matcher.refresh()
        r = api.client.post(
            "/v1/screen",
            json={"mode": "upload", "source_image": b64(_copy_of(PHOTO))},
            headers=api.key(Scope.SCREEN),
        )
        blocked = r.json()
    assert blocked["decision"] == "block" and blocked["reasons"][0]["rule"] == "R2"
    _run(settings, "cases", "appeal", case_id, "--by", "affected_user", "--text", "mine")
    _run(
        settings, "cases", "decide-appeal", case_id, "--outcome", "reversed", "--actor", "bob",
        "--reason", "the uploader is the person shown",
    )  # fmt: skip
    out = tmp_path / "sor.jsonl"
    _run(settings, "sor", "export", "--out", str(out))
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [s["source_type"] for s in exported] == [
        "SOURCE_TYPE_OTHER_NOTIFICATION",  # the TAKE IT DOWN request's removal
        "SOURCE_VOLUNTARY",  # the blocked re-upload
    ]
    assert exported[1]["puid"] == blocked["statement"]["id"]
    assert all(s["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE" for s in exported)
    notice_text = (ROOT / "examples" / "notices" / "take_it_down.json").read_text()
    assert "Sam Example" in notice_text and "Sam" not in out.read_text()  # no notifier data
    assert _run(settings, "sor", "validate", str(out)) == "valid: 2 statement(s)\n"
    batches = tmp_path / "batches"
    _run(settings, "sor", "export", "--batch", "--out", str(batches))
    (only,) = batches.iterdir()
    assert json.loads(only.read_text()) == {"statements": exported}


@pytest.mark.parametrize(("fault", "breaks", "field"), BROKEN, ids=[b[0] for b in BROKEN])
def test_EU_9_when_an_exported_statement_is_broken_then_validate_refuses_it_naming_the_field(
    sqlite_url: str,
    tmp_path: Path,
    exported: list[dict[str, Any]],
    fault: str,
    breaks: Callable[[dict[str, Any]], None],
    field: str,
) -> None:
    broken = copy.deepcopy(exported[0])
    breaks(broken)
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(broken) + "\n")
    result = CliRunner().invoke(
        cli, ["sor", "validate", str(path)], obj=AppContext(settings=make_settings(sqlite_url))
    )
    assert result.exit_code == 1, fault
    assert f"line 1: {field}: " in result.stderr, (fault, result.stderr)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The statement the walk-through's removal exports (built once for the table above)."""
    tmp = tmp_path_factory.mktemp("walk")
    settings = make_settings(f"sqlite:///{tmp / 'cg.db'}")
    _walk_through(settings, tmp)
    _run(settings, "sor", "export", "--out", str(tmp / "sor.jsonl"))
    return [json.loads(line) for line in (tmp / "sor.jsonl").read_text().splitlines()]
