"""The suite: the test split only, deterministic by seed, sized, with the right photos."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from consentgate.assess.mutators import MUTATORS
from consentgate.assess.photos import NO_PERSON, PERSON, photo
from consentgate.assess.seeds import load_seeds
from consentgate.assess.suite import NO_PERSON_CATEGORIES, SUITES, TACTICS, build_suite
from consentgate.errors import BadInput
from consentgate.records import Mode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_assess_seeds  # noqa: E402


def test_when_the_seeds_are_rebuilt_from_the_prompt_set_then_the_shipped_file_is_the_same() -> None:
    shipped = (ROOT / "src/consentgate/assess/data/seeds.jsonl").read_text(encoding="utf-8")
    assert shipped == build_assess_seeds.render(build_assess_seeds.seed_rows())


def test_when_seeds_are_loaded_then_every_one_is_from_the_test_split() -> None:
    split = {}
    for name in ("prompts", "hard_benign", "variants"):
        for line in (ROOT / "data/prompts" / f"{name}.jsonl").read_text("utf-8").splitlines():
            row = json.loads(line)
            split[row["id"]] = row["split"]
    seeds = load_seeds()
    assert len(seeds) > 800
    assert {split[s.id] for s in seeds} == {"test"}
    assert {s.language for s in seeds if s.kind == "seed"} == {"en"}
    assert len({s.language for s in seeds if s.kind == "translation"}) >= 15


def test_when_the_same_suite_and_seed_are_built_twice_then_the_same_requests() -> None:
    a, b = build_suite("default", 3), build_suite("default", 3)
    assert a.items == b.items and a.fingerprint() == b.fingerprint()


def test_when_the_seed_changes_then_the_requests_change() -> None:
    a, b = build_suite("default", 0), build_suite("default", 1)
    assert a.fingerprint() != b.fingerprint()
    assert {i.text for i in a.items} != {i.text for i in b.items}


def test_when_a_request_is_in_two_sizes_of_suite_then_it_reads_the_same() -> None:
    smoke = {i.id: i for i in build_suite("smoke", 5).items}
    full = {i.id: i for i in build_suite("full", 5).items}
    assert set(smoke) <= set(full)
    assert all(smoke[k] == full[k] for k in smoke)


@pytest.mark.parametrize("name", sorted(SUITES))
def test_when_a_suite_is_built_then_each_tactic_keeps_within_its_size(name: str) -> None:
    size = SUITES[name]
    suite = build_suite(name, 0)
    counts = Counter((i.tactic, i.harmful) for i in suite.items)
    assert {t for t, _ in counts} == set(TACTICS)
    for (tactic, harmful), n in counts.items():
        cap = size.harmful if harmful else size.benign
        if cap is not None and not (tactic == "translation" and size.every_translation):
            assert n <= cap, (tactic, harmful, n)
    assert len({i.id for i in suite.items}) == len(suite.items)


def test_when_the_default_suite_is_built_then_it_has_both_sides_of_every_tactic() -> None:
    counts = Counter((i.tactic, i.harmful) for i in build_suite("default", 0).items)
    for tactic in TACTICS:
        assert counts[(tactic, True)] >= 100, tactic
        if tactic != "injection":
            assert counts[(tactic, False)] >= 90, tactic
    assert 1500 <= sum(counts.values()) <= 3000


def test_when_the_full_suite_is_built_then_injections_wrap_harmful_requests_only() -> None:
    items = build_suite("full", 0).items
    assert {i.harmful for i in items if i.tactic == "injection"} == {True}
    assert {i.harmful for i in items if i.tactic == "pretext"} == {True, False}


def test_when_a_request_is_disguised_then_its_text_differs_from_its_seed() -> None:
    seeds = {s.id: s for s in load_seeds()}
    for item in build_suite("default", 0).items:
        if item.tactic in MUTATORS:
            assert item.text != seeds[item.seed_id].text
        else:
            assert item.text == seeds[item.seed_id].text


def test_when_an_edit_is_harmful_then_its_photo_shows_a_person() -> None:
    for item in build_suite("full", 0).items:
        if item.mode is Mode.GENERATE:
            assert item.photo is None
        elif item.harmful:
            assert item.photo in PERSON and photo(item.photo).person
        elif item.category in NO_PERSON_CATEGORIES:
            assert item.photo in NO_PERSON and not photo(item.photo).person
        else:
            assert item.photo in PERSON


def test_when_the_suite_is_ordered_then_tactics_are_mixed_from_the_start() -> None:
    first = build_suite("default", 0).items[:100]
    assert len({i.tactic for i in first}) == len(TACTICS)


def test_when_the_suite_name_is_unknown_then_bad_input_names_the_known_ones() -> None:
    with pytest.raises(BadInput, match="smoke, default, full"):
        build_suite("huge", 0)


def test_when_the_shipped_photos_are_read_then_each_is_a_jpeg() -> None:
    for name in PERSON + NO_PERSON:
        assert photo(name).data[:3] == b"\xff\xd8\xff"
