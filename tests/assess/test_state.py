"""The state file: append-only, read back on a rerun, refused when it belongs to another run."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.assess.outcome import AnswerKind, ItemResult
from consentgate.assess.state import StateFile, state_path
from consentgate.errors import BadInput

HEADER = {"suite": "smoke", "seed": 0, "fingerprint": "abc", "target": "self"}


def result(n: int) -> ItemResult:
    return ItemResult(id=f"item-{n}", outcome=AnswerKind.BLOCKED, latency_ms=1.5)


def test_when_out_is_a_report_then_the_state_file_sits_beside_it() -> None:
    assert state_path(Path("/r/self.json")) == Path("/r/self.state.jsonl")
    assert state_path(Path("/r/self.html")) == Path("/r/self.state.jsonl")


def test_when_results_are_appended_and_the_file_reopened_then_they_are_read_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.state.jsonl"
    state = StateFile(path, HEADER).open()
    for n in range(3):
        state.append(result(n))
    state.close()
    again = StateFile(path, HEADER).open()
    assert sorted(again.results) == ["item-0", "item-1", "item-2"]
    again.append(result(3))
    again.close()
    assert len(path.read_text().splitlines()) == 5  # header and four results


def test_when_the_last_line_was_cut_short_then_it_is_dropped_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.state.jsonl"
    state = StateFile(path, HEADER).open()
    state.append(result(0))
    state.append(result(1))
    state.close()
    path.write_bytes(path.read_bytes()[:-20])  # a crash in the middle of the second line
    again = StateFile(path, HEADER).open()
    assert list(again.results) == ["item-0"]
    again.append(result(1))
    again.close()
    assert sorted(StateFile(path, HEADER).open().results) == ["item-0", "item-1"]


def test_when_the_state_belongs_to_another_run_then_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "run.state.jsonl"
    StateFile(path, HEADER).open().close()
    with pytest.raises(BadInput, match="another run"):
        StateFile(path, {**HEADER, "seed": 1}).open()


def test_when_fresh_is_asked_then_the_earlier_results_are_discarded(tmp_path: Path) -> None:
    path = tmp_path / "run.state.jsonl"
    state = StateFile(path, HEADER).open()
    state.append(result(0))
    state.close()
    assert StateFile(path, {**HEADER, "seed": 1}).open(fresh=True).results == {}


@pytest.mark.parametrize("damage", ["not json\n", '{"id": "x"}\n', "[]\n"])
def test_when_a_line_in_the_middle_is_damaged_then_bad_input_names_it(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "run.state.jsonl"
    state = StateFile(path, HEADER).open()
    state.append(result(0))
    state.close()
    with path.open("a") as handle:
        handle.write(damage)
        handle.write(result(1).model_dump_json() + "\n")
    with pytest.raises(BadInput, match="line 3 is damaged"):
        StateFile(path, HEADER).open()


def test_when_the_state_file_is_empty_then_it_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "run.state.jsonl"
    path.write_text("")
    assert StateFile(path, HEADER).open().results == {}
