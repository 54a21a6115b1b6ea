"""``consentgate sor``: statements of reasons for the EU Transparency Database.

``export`` checks every statement before it writes it and writes to a temporary file
(or files) renamed into place only once all of them passed (``cli.files``), so a failed
or interrupted export leaves no file that looks complete. A statement that fails stops it
with exit 2 and one line naming the statement and the field.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from consentgate.cases.statements import export as exports
from consentgate.cases.statements import store
from consentgate.cases.statements.store import Row
from consentgate.cases.statements.validate import StatementChecker
from consentgate.cli.context import app_context
from consentgate.cli.files import write_all, write_streamed
from consentgate.cli.output import print_json, stderr
from consentgate.errors import BadInput


class Day(click.ParamType[date, Any]):
    """A date written YYYY-MM-DD; anything else is BadInput (one line, exit 2)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        option = param.opts[0] if param is not None and param.opts else "the date"
        text = str(value)
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
        except ValueError:
            pass
        raise BadInput(f"{option}: {value!r} is not a date written YYYY-MM-DD", field=option)


DAY = Day()


@click.group()
def sor() -> None:
    """Statements of reasons (DSA Art. 17) in the Transparency Database's schema."""


def _progress() -> Progress:
    columns = (TextColumn("statements"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=stderr, transient=False)


def _counted(rows: Iterator[Row], total: int) -> Iterator[Row]:
    with _progress() as progress:
        task = progress.add_task("export", total=total)
        for row in rows:
            yield row
            progress.advance(task)


@sor.command("export")
@click.option("--from", "start", type=DAY, help="First application date (inclusive).")
@click.option("--to", "end", type=DAY, help="Last application date (inclusive).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The JSON-lines file to write, or with --batch the folder of batch files.",
)
@click.option(
    "--batch",
    is_flag=True,
    help="Write request bodies of at most 100 statements, one file each.",
)
@click.option("--force", is_flag=True, help="Write over an existing file (or batch files).")
def export(start: date | None, end: date | None, out: Path, batch: bool, force: bool) -> None:
    """Export the statements applied from --from to --to, each checked first.

    One statement per line (a body of POST /api/v1/statement), or with --batch files
    statements-000001.json, ... (bodies of POST /api/v1/statements). Without --from or
    --to the range is open at that end.
    """
    db = app_context().database()
    total = store.count(db, start, end)
    rows = _counted(exports.checked(store.rows(db, start, end)), total)
    written = _batches(rows, out, force) if batch else _lines(rows, out, force)
    what = f"{written} batch file(s) in {out}" if batch else str(out)
    click.echo(f"exported {total} statement(s) to {what}", err=True)


def _lines(rows: Iterator[Row], out: Path, force: bool) -> int:
    if out.is_dir():
        raise BadInput(f"{out} is a folder: give a file, or pass --batch", field="out")
    count = 0

    def lines() -> Iterator[bytes]:
        nonlocal count
        for row in rows:
            yield exports.line(row.body).encode("utf-8")
            count += 1

    write_streamed(out, lines(), force=force)
    return count


def _batches(rows: Iterator[Row], out: Path, force: bool) -> int:
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out} is a file: --batch writes into a folder", field="out")
    if not force and out.is_dir() and any(out.glob("statements-*.json")):
        raise BadInput(f"{out} holds batch files already: pass --force", field="out")
    files = (
        (f"statements-{n:06d}.json", json.dumps(body, ensure_ascii=False).encode("utf-8"))
        for n, body in enumerate(exports.batches(rows), start=1)
    )
    return write_all(out, files, force=force)


@sor.command("validate")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def validate(file: Any) -> None:
    """Check statements in a file: JSON lines, or one batch body {"statements": [...]}.

    Each fault is a line on stderr naming the statement's line (or index) and field;
    the exit status is 1 when any statement fails, 0 when all pass.
    """
    checker = StatementChecker()
    failed = total = 0
    for where, body in _statements(file):
        total += 1
        faults = checker.check(body)
        for fault in faults:
            click.echo(f"{where}: {fault}", err=True)
        failed += bool(faults)
    if failed:
        click.echo(f"{failed} of {total} statement(s) fail", err=True)
        sys.exit(1)
    click.echo(f"valid: {total} statement(s)")


def _statements(file: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each statement of ``file`` and where it is: JSON lines are read one at a time; a
    batch body (``{"statements": [...]}``, on one line or spread over several) whole."""
    first = file.readline()
    try:
        head = json.loads(first) if first.strip() else None
    except json.JSONDecodeError:
        head = _document(first + file.read())
    if isinstance(head, dict) and isinstance(head.get("statements"), list):
        for n, body in enumerate(head["statements"]):
            yield f"statement_{n}", body if isinstance(body, dict) else {}
        return
    for number, raw in enumerate(itertools.chain([first], file), start=1):
        if raw.strip():
            yield f"line {number}", _line(raw, number)


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None


def _line(raw: str, number: int) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadInput(f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(body, dict):
        raise BadInput(f"line {number}: a statement is a JSON object")
    return body


@sor.command("show")
@click.argument("statement_id", metavar="ID")
def show(statement_id: str) -> None:
    """One statement as kept: the database's body, the redress and where it came from."""
    print_json(store.get(app_context().database(), statement_id))
