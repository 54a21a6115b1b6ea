"""Docs stay honest: every command, setting, record field and rule is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from consentgate.cli.main import cli
from consentgate.policy.loader import load_policy
from consentgate.records import Decision, DetectorFailure, Evidence, Reason, ScreenRequest, Signal
from consentgate.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group: click.Group, prefix: str = "consentgate") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


@pytest.mark.parametrize("command", _commands(cli))
def test_when_cli_command_exists_then_docs_cli_describes_it(command: str) -> None:
    assert f"`{command}" in (DOCS / "cli.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_when_setting_exists_then_docs_settings_describes_it(field: str) -> None:
    assert f"`CONSENTGATE_{field.upper()}`" in (DOCS / "settings.md").read_text()


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (r.__name__, f)
        for r in (ScreenRequest, Signal, Evidence, Reason, DetectorFailure, Decision)
        for f in r.model_fields
    ],
)
def test_when_record_field_exists_then_docs_records_describes_it(record: str, field: str) -> None:
    text = (DOCS / "records.md").read_text()
    section = text.split(f"## {record}", 1)
    assert len(section) == 2, f"docs/records.md has no '## {record}' section"
    assert f"`{field}`" in section[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("rule", [r.id for r in load_policy().rules])
def test_when_default_rule_exists_then_docs_policy_describes_it(rule: str) -> None:
    assert f"**{rule}**" in (DOCS / "policy.md").read_text()


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_when_docs_page_exists_then_readme_links_it(page: str) -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert f"(docs/{page})" in readme, f"README.md does not link docs/{page}"
