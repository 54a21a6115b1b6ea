"""Regenerate docs/cli.md and docs/settings.md from the code.

Run after adding a command or a setting: ``.venv/bin/python scripts/gen_reference_docs.py``.
``tests/test_docs.py`` fails when either page misses a command or a setting.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from consentgate.cli.main import cli
from consentgate.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_walk(command, path))
    return found


def cli_page() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `scripts/gen_reference_docs.py`. Every command reads",
        "`CONSENTGATE_*` settings (see `docs/settings.md`). Exit status: 0 success (any",
        "decision, including block), 1 some batch lines failed, 2 bad input or configuration,",
        "3 not found or conflict, 4 unauthorised, 5 unavailable, 6 the store cannot serve",
        "(unreachable, full, read-only or locked: a one-line error; try again later).",
        "",
    ]
    for path, command in _walk(cli, "consentgate"):
        ctx = click.Context(command, info_name=path)
        lines += [f"## `{path}`", "", "```", command.get_help(ctx).strip(), "```", ""]
    return "\n".join(lines)


def settings_page() -> str:
    lines = [
        "# Settings",
        "",
        "Generated from `consentgate.settings.Settings` by `scripts/gen_reference_docs.py`.",
        "Each setting is read once at start-up from its environment variable; a bad value",
        "stops the CLI or the service with the variable named (exit status 2).",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, tuple):
            default = ",".join(default)
        if isinstance(default, bool):
            default = str(default).lower()
        if isinstance(default, dict):
            default = json.dumps(default)
        shown = "" if default in (None, "") else f"`{getattr(default, 'value', default)}`"
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(f"| `CONSENTGATE_{name.upper()}` | {shown} | {meaning} |")
    lines += [
        "",
        "Lists (`CONSENTGATE_DETECTORS`, `CONSENTGATE_DISABLED_DETECTORS`,",
        "`CONSENTGATE_TRUSTED_PROXIES`) are comma-separated.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    (DOCS / "cli.md").write_text(cli_page(), encoding="utf-8")
    (DOCS / "settings.md").write_text(settings_page(), encoding="utf-8")


if __name__ == "__main__":
    main()
