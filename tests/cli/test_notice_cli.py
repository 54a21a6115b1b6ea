"""``consentgate notice submit`` and ``status``: the same intake as the API, one error line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consentgate.cases.records import Action
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


@pytest.fixture
def app(database_url: str) -> AppContext:
    return AppContext(settings=Settings(database_url=database_url))


def run(app: AppContext, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=app)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "name", ["dsa_notice", "take_it_down", "uk_intimate_image", "child_safety"]
)
def test_when_an_example_file_is_submitted_then_its_receipt_is_printed(
    app: AppContext, name: str
) -> None:
    code, out, err = run(app, "notice", "submit", str(EXAMPLES / f"{name}.json"))
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["kind"] == name and receipt["cases"]


def test_EU_3_when_submitted_with_now_then_received_and_known_at_that_instant(
    app: AppContext,
) -> None:
    code, out, _ = run(
        app, "notice", "submit", str(EXAMPLES / "dsa_notice.json"), "--now", "2026-12-01T10:00:00Z"
    )
    assert code == 0
    assert json.loads(out)["received_at"] == "2026-12-01T10:00:00Z"


def test_US_2_when_the_signature_is_missing_then_one_error_line_exit_2_and_no_case(
    app: AppContext, tmp_path: Path
) -> None:
    data = json.loads((EXAMPLES / "take_it_down.json").read_text())
    del data["signature"], data["contact_info"]
    bad = tmp_path / "notice.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(app, "notice", "submit", str(bad))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "signature: required" in err and "contact_info: required" in err
    assert app.cases().list_cases() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "not valid JSON"), ("[]", "a notice is a JSON object")],
)
def test_when_the_file_is_bad_then_one_error_line_and_exit_2(
    app: AppContext, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "notice.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(app, "notice", "submit", str(path))
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_when_now_is_not_an_instant_then_exit_2(app: AppContext) -> None:
    code, _, err = run(
        app, "notice", "submit", str(EXAMPLES / "dsa_notice.json"), "--now", "yesterday"
    )
    assert code == 2 and err.startswith("error: --now")


def test_EU_5_when_decided_then_status_json_shows_the_decision_and_redress(
    app: AppContext,
) -> None:
    _, out, _ = run(app, "notice", "submit", str(EXAMPLES / "child_safety.json"))
    receipt = json.loads(out)
    app.cases().decide(receipt["cases"][0], Action.REMOVE, reason="csam", actor="alice")
    code, out, err = run(app, "notice", "status", receipt["tracking_code"], "--json")
    assert code == 0, err
    item = json.loads(out)["items"][0]
    assert item["state"] == "actioned"
    assert set(item["decision"]) >= {"action", "automation", "redress"}
    code, out, _ = run(app, "notice", "status", receipt["tracking_code"])
    assert code == 0 and "actioned" in out


def test_when_the_code_is_unknown_then_exit_3(app: AppContext) -> None:
    code, _, err = run(app, "notice", "status", "x" * 32)
    assert code == 3 and err.startswith("error: ")


def test_when_submitted_twice_with_one_idempotency_key_then_one_notice_and_the_same_receipt(
    app: AppContext, tmp_path: Path
) -> None:
    path = str(EXAMPLES / "dsa_notice.json")
    first = run(app, "notice", "submit", path, "--idempotency-key", "import-17")
    again = run(app, "notice", "submit", path, "--idempotency-key", "import-17")
    assert first[0] == again[0] == 0, again[2]
    assert json.loads(again[1]) == json.loads(first[1])
    assert again[2].startswith("replayed: ") and first[2] == ""
    assert len(app.cases().list_cases()) == len(json.loads(first[1])["cases"])
    other = tmp_path / "other.json"
    data = json.loads((EXAMPLES / "dsa_notice.json").read_text())
    other.write_text(json.dumps({**data, "items": data["items"][:1]}))
    code, _, err = run(app, "notice", "submit", str(other), "--idempotency-key", "import-17")
    assert code == 3 and "different request" in err


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
def test_when_the_idempotency_key_is_malformed_then_exit_2_naming_it(
    app: AppContext, key: str
) -> None:
    code, _, err = run(
        app, "notice", "submit", str(EXAMPLES / "dsa_notice.json"), "--idempotency-key", key
    )
    assert code == 2 and "Idempotency-Key" in err
    assert app.cases().list_cases() == []
