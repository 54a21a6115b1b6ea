"""``--history-file``: the earlier prompts of a conversation, read from a file.

Two formats, told apart by the first character that is not white space:

* a JSON array of strings (``["give her a denim jacket", "take the jacket off"]``),
  for turns that span several lines;
* plain text, one prompt per line, oldest first; blank lines are skipped.

Either way at most 20 turns, each within the prompt limit; anything else is bad
input (exit status 2, one line naming what is wrong, like every CLI error).
"""

from __future__ import annotations

import json
from pathlib import Path

from consentgate.errors import BadInput
from consentgate.records import MAX_HISTORY_TURNS, MAX_PROMPT_CHARS

MAX_FILE_BYTES = (MAX_PROMPT_CHARS * 4 + 8) * MAX_HISTORY_TURNS  # UTF-8, quotes and commas


def parse_history(text: str) -> tuple[str, ...]:
    """The turns in a history file's text; ``BadInput`` when it is not one."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            why = f"not a valid JSON array ({exc.msg} at line {exc.lineno})"
            raise _bad(why) from None
        if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
            raise _bad("a JSON history must be an array of strings")
        turns = tuple(data)
    else:
        turns = tuple(line for line in text.splitlines() if line.strip())
    if len(turns) > MAX_HISTORY_TURNS:
        raise _bad(f"{len(turns)} turns: at most {MAX_HISTORY_TURNS} are read")
    for number, turn in enumerate(turns, start=1):
        if not turn.strip():
            raise _bad(f"turn {number} is empty")
        if len(turn) > MAX_PROMPT_CHARS:
            raise _bad(f"turn {number} is over {MAX_PROMPT_CHARS:,} characters")
    return turns


def _bad(why: str) -> BadInput:
    return BadInput(f"--history-file: {why}", field="history")


def read_history_file(path: Path) -> tuple[str, ...]:
    """Read and parse ``path`` (UTF-8, at most ``MAX_FILE_BYTES``)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _bad(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _bad(f"{path} is over {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(f"{path} is not UTF-8 text") from None
    return parse_history(text)
