"""``--history-file``: the earlier prompts of a conversation, read from a file.

Two formats, told apart by the first character that is not white space:

* a JSON array of strings (``["give her a denim jacket", "take the jacket off"]``),
  for turns that span several lines;
* plain text, one prompt per line, oldest first; blank lines are skipped.

Either way at most 20 turns, each within the prompt limit; anything else is bad
input (exit status 2, one line naming what is wrong).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from consentgate.records import MAX_HISTORY_TURNS, MAX_PROMPT_CHARS

MAX_FILE_BYTES = (MAX_PROMPT_CHARS * 4 + 8) * MAX_HISTORY_TURNS  # UTF-8, quotes and commas


def parse_history(text: str) -> tuple[str, ...]:
    """The turns in a history file's text; ``click.BadParameter`` when it is not one."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            why = f"not a valid JSON array ({exc.msg} at line {exc.lineno})"
            raise click.BadParameter(why) from None
        if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
            raise click.BadParameter("a JSON history must be an array of strings")
        turns = tuple(data)
    else:
        turns = tuple(line for line in text.splitlines() if line.strip())
    if len(turns) > MAX_HISTORY_TURNS:
        raise click.BadParameter(f"{len(turns)} turns: at most {MAX_HISTORY_TURNS} are read")
    for number, turn in enumerate(turns, start=1):
        if not turn.strip():
            raise click.BadParameter(f"turn {number} is empty")
        if len(turn) > MAX_PROMPT_CHARS:
            raise click.BadParameter(f"turn {number} is over {MAX_PROMPT_CHARS:,} characters")
    return turns


def read_history_file(path: Path) -> tuple[str, ...]:
    """Read and parse ``path`` (UTF-8, at most ``MAX_FILE_BYTES``)."""
    hint = "--history-file"
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=hint) from None
    if len(raw) > MAX_FILE_BYTES:
        raise click.BadParameter(f"{path} is over {MAX_FILE_BYTES:,} bytes", param_hint=hint)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text", param_hint=hint) from None
    try:
        return parse_history(text)
    except click.BadParameter as exc:
        raise click.BadParameter(exc.message, param_hint=hint) from None
