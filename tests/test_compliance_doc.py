"""docs/compliance.md stays honest: a requirement marked tested has a test named after it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| ((?:UK|EU|US|CS)-\d+) \| [^|]+ \| (tested|partly|not yet|not applicable) \|")
STATUSES = {"tested", "partly", "not yet", "not applicable"}


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (ROOT / "docs" / "compliance.md").read_text().splitlines():
        found = ROW.match(line)
        if found:
            assert found.group(1) not in rows, f"{found.group(1)} is listed twice"
            rows[found.group(1)] = found.group(2)
    return rows


def _test_names() -> str:
    return "\n".join(
        line
        for path in (ROOT / "tests").rglob("test_*.py")
        for line in path.read_text().splitlines()
        if line.startswith("def test_")
    )


def test_when_a_requirement_is_marked_tested_then_a_test_carries_its_id() -> None:
    names = _test_names()
    untested = [
        req
        for req, status in _rows().items()
        if status == "tested"
        and not re.search(rf"def test_(?:[A-Z]{{2}}_\d+_)*{req.replace('-', '_')}_", names)
    ]
    assert untested == []


def test_when_the_page_is_read_then_every_id_of_each_regime_is_listed_once_in_order() -> None:
    rows = _rows()
    for regime, last in {"UK": 21, "EU": 15, "US": 8, "CS": 7}.items():
        listed = [int(r.split("-")[1]) for r in rows if r.startswith(regime)]
        assert listed == list(range(1, last + 1)), regime
    assert set(rows.values()) <= STATUSES


NAMED = re.compile(r"; tests: ((?:`tests/[\w/]+\.py`(?:, )?)+) \|$")
REGULATOR_OUTPUTS = (
    "EU-7", "EU-8", "EU-9", "EU-12", "EU-15", "UK-14", "UK-17", "UK-18", "CS-1", "CS-3", "CS-4",
)  # fmt: skip
"""Rows that must close with the tests that show them (others join as they name theirs)."""


def _lines() -> dict[str, str]:
    return {
        found.group(1): line
        for line in (ROOT / "docs" / "compliance.md").read_text().splitlines()
        if (found := ROW.match(line))
    }


def test_when_a_row_names_its_tests_then_each_file_exists_and_carries_the_rows_id() -> None:
    lines = _lines()
    named: dict[str, list[str]] = {}
    for req, line in lines.items():
        found = NAMED.search(line)
        if found:
            named[req] = re.findall(r"`(tests/[\w/]+\.py)`", found.group(1))
    assert [req for req in REGULATOR_OUTPUTS if req not in named] == []
    for req, files in named.items():
        for name in files:
            path = ROOT / name
            assert path.is_file(), f"{req} names {name}, which does not exist"
            carried = rf"^def test_(?:[A-Z]{{2}}_\d+_)*{req.replace('-', '_')}_"
            assert re.search(carried, path.read_text(), re.MULTILINE), f"{req}: {name}"


def test_when_the_page_says_what_is_not_yet_built_then_it_names_every_such_row() -> None:
    text = (ROOT / "docs" / "compliance.md").read_text()
    bullet = text.split("- **not yet**:", 1)[1].split("\n- **", 1)[0]
    listed = set(re.findall(r"\b(?:UK|EU|US|CS)-\d+\b", bullet))
    assert listed == {req for req, status in _rows().items() if status == "not yet"}
