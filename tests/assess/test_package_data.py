"""What the assessment reads at run time (seeds, photos, template) ships in the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSESS = ROOT / "src" / "consentgate" / "assess"


def test_when_the_package_is_built_then_every_assessment_data_file_is_included() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["consentgate"]
    suffixes = {g.removeprefix("**/*") for g in globs if g.startswith("**/*.")}
    data = [p for p in ASSESS.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert {p.name for p in data} >= {"seeds.jsonl", "report.html.j2", "astronaut.jpg"}
    missing = [str(p.relative_to(ASSESS)) for p in data if p.suffix not in suffixes]
    assert missing == []
    requirements = " ".join(pyproject["project"]["dependencies"]).lower()
    assert "jinja2" in requirements
