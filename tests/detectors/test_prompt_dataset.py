"""The labelled prompt set: big enough, every tactic and language, and a clean held-out split."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

DATASET = Path(__file__).resolve().parents[2] / "data" / "prompts" / "prompts.jsonl"
FIELDS = {"id", "text", "mode", "expected", "harmful", "category", "tactic", "language", "split"}
TACTICS = {"plain", "leetspeak", "homoglyph", "zero_width", "spacing", "emoji", "other_language",
           "euphemism", "pretext", "jailbreak"}  # fmt: skip


@pytest.fixture(scope="module")
def items() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()]


def test_when_the_set_is_read_then_every_item_has_the_documented_fields(
    items: list[dict[str, object]],
) -> None:
    assert len(items) >= 1500
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item.keys() >= FIELDS
        assert item["expected"] in {"allow", "block", "review"}
        assert item["harmful"] == (item["expected"] != "allow")
        assert item["split"] in {"train", "test"}


def test_when_the_set_is_read_then_it_spans_every_tactic_and_twelve_languages(
    items: list[dict[str, object]],
) -> None:
    assert {i["tactic"] for i in items} >= TACTICS
    languages = Counter(i["language"] for i in items if i["split"] == "test")
    assert len(languages) >= 12
    assert min(languages.values()) >= 20


def test_when_split_then_no_written_prompt_or_text_is_shared_by_train_and_test(
    items: list[dict[str, object]],
) -> None:
    train_cores = {i["core"] for i in items if i["split"] == "train"}
    test_cores = {i["core"] for i in items if i["split"] == "test"}
    assert not train_cores & test_cores
    train_texts = {i["text"] for i in items if i["split"] == "train"}
    assert not {i["text"] for i in items if i["split"] == "test"} & train_texts
