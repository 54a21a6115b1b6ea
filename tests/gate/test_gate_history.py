"""``Gate.screen(..., history=[...])``: the Python API reads a prompt with its conversation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate import BadInput, Gate, Label, ScreenRequest, Settings, Verdict
from consentgate.detectors.prompt_conversation import PromptConversationDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from tests.fakes import CoversAllFake, KeywordFake

TURNS = ["give her a denim jacket", "take the jacket off", "now the top underneath"]


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[Gate]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'consentgate.db'}")
    detectors = [
        CoversAllFake(),
        KeywordFake("words", {"bikini": Label.SEXUALISING_EDIT}),
        PromptConversationDetector(),
    ]
    engine = ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)
    with Gate(settings, engine=engine) as gate:
        yield gate


def test_when_history_is_given_then_the_prompt_is_read_in_its_conversation(gate: Gate) -> None:
    alone = gate.screen(mode="edit", prompt="keep going")
    read = gate.screen(mode="edit", prompt="keep going", history=TURNS)
    assert alone.decision is Verdict.ALLOW
    assert read.decision is Verdict.BLOCK
    turns = {
        e.turn for s in read.signals if s.detector == "prompt_conversation" for e in s.evidence
    }
    assert turns == {1, 2, 3}


def test_when_requests_are_screened_in_a_batch_then_each_has_its_own_history(gate: Gate) -> None:
    decisions = list(
        gate.screen_many(
            [
                {"mode": "edit", "prompt": "keep going", "history": TURNS},
                ScreenRequest(mode="edit", prompt="keep going", history=("add a hat",)),
            ]
        )
    )
    assert [d.decision for d in decisions] == [Verdict.BLOCK, Verdict.ALLOW]


@pytest.mark.parametrize(
    ("history", "field"),
    [
        ("take the jacket off", "history"),
        (["a"] * 21, "history"),
        (["fine", ""], "history.1"),
        (["x" * 20_001], "history.0"),
    ],
)
def test_when_history_is_malformed_then_bad_input_names_the_field(
    gate: Gate, history: object, field: str
) -> None:
    with pytest.raises(BadInput) as caught:
        gate.screen(mode="edit", prompt="keep going", history=history)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_when_history_comes_without_a_prompt_then_bad_input(gate: Gate) -> None:
    with pytest.raises(BadInput, match="history needs a prompt"):
        gate.request({"history": ["a"]})
