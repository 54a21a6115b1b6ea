"""The README's Python example and every example in docs/python.md run, with the real engine."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from skimage import data

from consentgate import Gate, Settings

ROOT = Path(__file__).resolve().parents[2]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)

pytestmark = pytest.mark.slow


def python_blocks(doc: Path) -> list[str]:
    blocks = PYTHON_BLOCK.findall(doc.read_text())
    assert blocks, f"{doc.name} has no python examples"
    return blocks


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder and no CONSENTGATE_* variables: the defaults, as a reader has."""
    for name in list(os.environ):
        if name.startswith("CONSENTGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(blocks: list[str], doc: str) -> dict[str, Any]:
    """Run the blocks in order in one namespace, as a reader pasting them would."""
    namespace: dict[str, Any] = {"__name__": "__doc_example__"}
    try:
        for number, block in enumerate(blocks, start=1):
            exec(compile(block, f"{doc} example {number}", "exec"), namespace)
    finally:
        gate = namespace.get("gate")
        if gate is not None:
            gate.close()
    return namespace


def test_when_readme_python_example_runs_then_edit_is_blocked_by_r3(empty_folder: Path) -> None:
    photo = Image.fromarray(data.astronaut())
    photo.save(empty_folder / "photo.jpg")
    photo.resize((384, 384)).save(empty_folder / "upload.jpg", quality=70)
    [block] = python_blocks(ROOT / "README.md")
    block += "\nmatched = gate.match('upload.jpg')\n"
    namespace = run([block], "README.md")
    d = namespace["d"]
    assert (d.decision, [r.rule for r in d.reasons]) == ("block", ["R3"])
    assert namespace["matched"] == []  # no banks in a fresh store


def test_when_docs_python_examples_run_in_an_empty_folder_then_each_holds(
    empty_folder: Path,
) -> None:
    namespace = run(python_blocks(ROOT / "docs" / "python.md"), "python.md")
    assert namespace["hit"].bank == "victims"
    assert namespace["d"].decision == "block"


def test_when_two_real_gates_differ_in_adult_mode_then_neither_changes_the_other(
    empty_folder: Path,
) -> None:
    prompt = "two fictional adult characters having explicit sex"
    with Gate(Settings(adult_mode=True)) as adult, Gate(Settings()) as plain:
        got = [
            (g.screen(prompt=prompt).decision, g.engine.adult_mode) for g in (adult, plain, adult)
        ]
    assert got == [("allow", True), ("block", False), ("allow", True)]
