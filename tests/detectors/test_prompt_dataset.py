"""The labelled prompt sets: documented fields, every tactic and language, a slot-disjoint split.

What the split promises, and what it does not: a ``test`` row of prompts.jsonl
shares no hand-written core, no template and no template slot value with a
``train`` row, so the classifier never trained on its phrasing or its words. The
rows were still written by the same team that wrote the lexicon, and the test
split's errors have been read while the detectors were built, so the figure it
gives is a development figure; prompts nobody on the team wrote are scored from
the public sets (bench/prompt_eval.py).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "prompts"
sys.path.insert(0, str(ROOT / "scripts"))

import build_hard_benign  # noqa: E402
import build_prompt_set  # noqa: E402
import build_variants  # noqa: E402
import prompt_slots  # noqa: E402

FIELDS = {"id", "text", "mode", "expected", "harmful", "category", "tactic", "language", "split",
          "labels", "core"}  # fmt: skip
TACTICS = {"plain", "leetspeak", "homoglyph", "zero_width", "spacing", "emoji", "other_language",
           "euphemism", "pretext", "jailbreak"}  # fmt: skip
SETS = ["prompts.jsonl", "hard_benign.jsonl", "variants.jsonl"]


def read(name: str) -> list[dict[str, object]]:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not built")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def items() -> list[dict[str, object]]:
    return read("prompts.jsonl")


@pytest.mark.parametrize("name", SETS)
def test_when_a_set_is_read_then_every_item_has_the_documented_fields(name: str) -> None:
    rows = read(name)
    assert len(rows) >= 300
    assert len({i["id"] for i in rows}) == len(rows)
    for item in rows:
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


@pytest.mark.parametrize("name", SETS)
def test_when_split_then_no_written_core_or_text_is_shared_by_train_and_test(name: str) -> None:
    rows = read(name)
    train_cores = {i["core"] for i in rows if i["split"] == "train"}
    test_cores = {i["core"] for i in rows if i["split"] == "test"}
    assert not train_cores & test_cores
    train_texts = {i["text"] for i in rows if i["split"] == "train"}
    assert not {i["text"] for i in rows if i["split"] == "test"} & train_texts


def test_when_templates_are_split_then_every_slot_has_values_on_both_sides() -> None:
    for template in build_prompt_set.read_all_templates():
        for name, values in template.slots.items():
            sides = prompt_slots.value_splits(values)
            assert set(sides.values()) == {"train", "test"}, (template.key, name)


def test_when_templated_rows_are_split_then_each_follows_its_template(
    items: list[dict[str, object]],
) -> None:
    templates = build_prompt_set.read_all_templates()
    sides = prompt_slots.template_splits(
        templates, lambda t: build_prompt_set.expected(t.mode, t.codes) != "allow"
    )
    seen = 0
    for item in items:
        key = str(item["core"]).rsplit("-", 1)[0]
        if key in sides:
            seen += 1
            assert item["split"] == sides[key], item["id"]
    assert seen > 1000


@pytest.mark.parametrize(
    ("value", "side"),
    [("in the nude", "train"), ("taylor swift", "train"), ("string bikini", "train")],
)
def test_when_a_slot_value_is_a_lexicon_term_then_it_is_trained_on_not_held_out(
    value: str, side: str
) -> None:
    for template in build_prompt_set.read_all_templates():
        for values in template.slots.values():
            folded = {v.casefold(): v for v in values}
            if value in folded:
                assert prompt_slots.value_splits(values)[folded[value]] == side


def test_when_the_builder_runs_again_then_it_writes_the_same_rows(
    items: list[dict[str, object]],
) -> None:
    assert build_prompt_set.build() == items


def test_when_variants_are_split_then_held_out_languages_are_never_trained_on() -> None:
    rows = read("variants.jsonl")
    trained = {r["language"] for r in rows if r["split"] == "train"}
    tested = {
        r["language"] for r in rows if r["tactic"] == "unlisted_language" and r["split"] == "test"
    }
    assert tested == build_variants.HELD_OUT_LANGUAGES
    assert not trained & build_variants.HELD_OUT_LANGUAGES


BUILDERS = [(build_hard_benign.build, "hard_benign"), (build_variants.build, "variants")]


@pytest.mark.parametrize(("build", "name"), BUILDERS)
def test_when_a_builder_runs_again_then_it_writes_the_committed_file(
    build: Callable[[], list[dict[str, object]]], name: str
) -> None:
    assert build() == read(f"{name}.jsonl")
