"""``consentgate screen --history-file`` and ``history`` in batch lines.

The engine has a keyword fake for the prompt and the real conversation detector.
A history file is a JSON array of strings or plain text with one turn per line;
a bad one is exit status 2 with one line naming what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consentgate.cli.context import AppContext
from consentgate.cli.history import parse_history
from consentgate.cli.main import cli
from consentgate.detectors.prompt_conversation import PromptConversationDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.errors import BadInput
from consentgate.policy.loader import load_policy
from consentgate.records import Label
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, KeywordFake

TURNS = ["give her a denim jacket", "take the jacket off", "now the top underneath"]


@pytest.fixture
def app() -> AppContext:
    settings = Settings()
    detectors = [
        KeywordFake("words", {"bikini": Label.SEXUALISING_EDIT}),
        PromptConversationDetector(),
        CoversAllFake(),
    ]
    engine = ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)
    return AppContext(settings=settings, _engine=engine)


def run(app: AppContext, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=app, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "content",
    [
        json.dumps(TURNS),
        "\n".join(TURNS) + "\n",
        "\n\n".join(TURNS),  # blank lines are skipped
        json.dumps(TURNS, indent=2),
    ],
)
def test_when_a_history_file_is_given_then_the_prompt_is_read_with_it(
    app: AppContext, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "history.txt"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(
        app, "screen", "--mode", "edit", "--prompt", "keep going", "--history-file", str(path)
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["decision"] == "block"
    turns = {
        e["turn"]
        for s in data["signals"]
        if s["detector"] == "prompt_conversation"
        for e in s["evidence"]
    }
    assert turns == {1, 2, 3}


def test_when_a_json_turn_spans_lines_then_it_stays_one_turn() -> None:
    with pytest.raises(BadInput):
        parse_history("[1]")
    assert parse_history(json.dumps(["first line\nsecond line", "b"])) == (
        "first line\nsecond line",
        "b",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[not json", "not a valid JSON array"),
        ('{"a": 1}', None),  # a JSON object is read as one plain-text turn: fine
        ("[1, 2]", "array of strings"),
        (json.dumps(["a"] * 21), "at most 20"),
        ("\n".join(["turn"] * 21), "at most 20"),
        (json.dumps(["ok", "  "]), "turn 2 is empty"),
        (json.dumps(["x" * 20_001]), "over 20,000 characters"),
    ],
)
def test_when_a_history_file_is_malformed_then_exit_2_with_one_line(
    app: AppContext, tmp_path: Path, content: str, message: str | None
) -> None:
    path = tmp_path / "history.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(app, "screen", "--prompt", "keep going", "--history-file", str(path))
    if message is None:
        assert code == 0, err
        return
    assert code == 2
    assert err.startswith("error: --history-file: ") and err.count("\n") == 1
    assert message in err


def test_when_the_history_file_is_missing_or_not_text_then_exit_2(
    app: AppContext, tmp_path: Path
) -> None:
    code, _, err = run(
        app, "screen", "--prompt", "x", "--history-file", str(tmp_path / "absent.txt")
    )
    assert code == 2 and err.startswith("error: --history-file: cannot read")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = run(app, "screen", "--prompt", "x", "--history-file", str(binary))
    assert code == 2 and "not UTF-8" in err


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "--history-file", "h.txt", "--output-image", "o.png"],  # no prompt
        ["screen", "--input", "-", "--history-file", "h.txt"],
    ],
)
def test_when_a_history_file_has_no_prompt_to_go_with_then_usage_error(
    app: AppContext, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "h.txt").write_text("a turn\n")
    args = [str(tmp_path / a) if a == "h.txt" else a for a in args]
    code, _, err = run(app, *args, stdin="")
    assert code == 2
    assert "history" in err


def test_when_batch_lines_carry_history_then_each_is_read_with_its_own(
    app: AppContext, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": "a", "mode": "edit", "prompt": "keep going", "history": TURNS}),
        json.dumps({"id": "b", "mode": "edit", "prompt": "keep going"}),
        json.dumps({"id": "c", "mode": "edit", "prompt": "keep going", "history": "a string"}),
        json.dumps({"id": "d", "mode": "edit", "prompt": "keep going", "history": ["a"] * 21}),
        json.dumps({"id": "e", "mode": "edit", "prompt": "more", "history": ["add a hat"]}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(app, "screen", "--input", str(source))
    assert code == 1
    decided = {row["id"]: row["decision"] for row in map(json.loads, out.splitlines())}
    assert decided == {"a": "block", "b": "allow", "e": "allow"}
    assert "line 3: 'history' must be a list" in err
    assert "line 4: history" in err
