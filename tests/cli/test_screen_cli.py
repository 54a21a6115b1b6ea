from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import Label
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, KeywordFake

WORDS = {"bikini": Label.SEXUALISING_EDIT, "naked": Label.SEXUAL_EXPLICIT}


@pytest.fixture
def app() -> AppContext:
    settings = Settings()
    engine = ScreeningEngine(
        DetectorRegistry([KeywordFake("words", WORDS), CoversAllFake()]),
        load_policy(),
        settings=settings,
    )
    return AppContext(settings=settings, _engine=engine)


def run(app: AppContext, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj=app, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_when_single_prompt_blocked_then_exit_0_and_decision_json(app: AppContext) -> None:
    code, out, _ = run(
        app, "screen", "--mode", "edit", "--subject", "real_person", "--prompt", "bikini"
    )
    assert code == 0
    data = json.loads(out)
    assert data["decision"] == "block"
    assert data["reasons"][0]["rule"] == "R3"


def test_when_json_flag_then_one_compact_line(app: AppContext) -> None:
    code, out, _ = run(app, "screen", "--prompt", "a boat", "--json")
    assert code == 0
    assert out.count("\n") == 1
    assert json.loads(out)["decision"] == "allow"


def test_when_batch_has_bad_lines_then_rest_processed_and_exit_1(
    app: AppContext, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": "a", "prompt": "put her in a bikini", "mode": "edit"}),
        "{not json",
        json.dumps({"id": "b", "prompt": "a boat"}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"id": "c", "prompt": "x", "mode": "sideways"}),
        json.dumps({"id": "d", "prompt": "naked elf", "colour": "red"}),
        json.dumps({"id": 7, "prompt": "naked elf"}),
        json.dumps({"id": "e"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run(app, "screen", "--input", str(src), "--output", str(out))
    assert code == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["decision"]) for r in rows] == [
        ("a", "block"),
        ("b", "allow"),
        ("7", "block"),
    ]
    assert all(r["decision_id"] and r["reasons"] for r in rows)
    for number, fragment in [
        (2, "not valid JSON"),
        (4, "JSON object"),
        (6, "mode"),
        (7, "colour"),
        (9, "prompt"),
    ]:
        assert f"line {number}: " in err and fragment in err
    assert "5 of 8 line(s) failed" in err


def test_when_a_batch_prompt_hides_control_characters_then_it_is_screened(
    app: AppContext,
) -> None:
    lines = [
        json.dumps({"id": "nul", "prompt": "put her in a bik\u0000ini", "mode": "edit"}),
        json.dumps({"id": "bidi", "prompt": "a \u202eboat\x1b[0m"}),
    ]
    code, out, err = run(app, "screen", "--input", "-", stdin="\n".join(lines) + "\n")
    assert code == 0, err
    decided = [json.loads(line) for line in out.splitlines()]
    assert [(d["id"], d["decision"]) for d in decided] == [("nul", "block"), ("bidi", "allow")]
    assert all("hidden_characters" in d["disguises"] for d in decided)


def test_when_batch_from_stdin_then_stdout_in_input_order(app: AppContext) -> None:
    stdin = "".join(
        json.dumps({"id": str(i), "prompt": "naked" if i % 2 else "boat"}) + "\n" for i in range(10)
    )
    code, out, _ = run(app, "screen", "--input", "-", stdin=stdin)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [str(i) for i in range(10)]
    assert [r["decision"] for r in rows] == ["allow", "block"] * 5


def test_when_batch_is_empty_then_exit_0_and_no_output(app: AppContext, tmp_path: Path) -> None:
    src = tmp_path / "empty.jsonl"
    src.write_text("\n\n")
    code, out, err = run(app, "screen", "--input", str(src))
    assert code == 0
    assert out == ""
    assert "no requests" in err


@pytest.mark.parametrize(
    "args",
    [
        ["screen"],
        ["screen", "--mode", "sideways", "--prompt", "x"],
        ["screen", "--input", "-", "--prompt", "x"],
    ],
)
def test_when_usage_is_wrong_then_exit_2(app: AppContext, args: list[str]) -> None:
    code, _, _ = run(app, *args)
    assert code == 2


def test_when_image_file_missing_then_exit_2_with_one_line(app: AppContext, tmp_path: Path) -> None:
    code, out, err = run(app, "screen", "--image", str(tmp_path / "missing.png"))
    assert code == 2
    assert out == ""
    assert err.startswith("error: cannot read") and err.count("\n") == 1
