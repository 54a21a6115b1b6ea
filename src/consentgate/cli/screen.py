"""``consentgate screen``: screen one request, or a JSONL file of them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from consentgate.cli.context import app_context
from consentgate.cli.history import read_history_file
from consentgate.cli.output import print_json, stderr
from consentgate.engine import ScreeningEngine
from consentgate.errors import BadInput
from consentgate.fields import validated
from consentgate.images.files import read_image_file
from consentgate.images.limits import ImageLimits
from consentgate.in_order import map_in_order
from consentgate.jsonkeys import refuse_duplicate_keys
from consentgate.records import Decision, Mode, ScreenRequest, Subject

BATCH_FIELDS = {"id", "prompt", "history", "mode", "subject"}


def batch_line(decision: Decision, request_id: str | None) -> dict[str, Any]:
    """One output line: the caller's ``id`` first, then the decision record."""
    data = decision.model_dump(mode="json")
    data["decision_id"] = data.pop("id")
    data.pop("request_id", None)
    return {"id": request_id, **data}


def _read_image(path: Path | None) -> bytes | None:
    if path is None:
        return None
    return read_image_file(path, ImageLimits.from_settings(app_context().settings))


@click.command()
@click.option("--prompt", help="The prompt text to screen.")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    default=Mode.GENERATE.value,
    show_default=True,
    help="generate: text-to-image; edit: change a source photo; upload: share an image.",
)
@click.option(
    "--subject",
    type=click.Choice([s.value for s in Subject]),
    help="Caller hint about who is depicted (only ever makes a decision stricter).",
)
@click.option(
    "--image",
    "image",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Source photo (edit mode) or the uploaded image.",
)
@click.option(
    "--output-image",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The generated or edited result to screen.",
)
@click.option(
    "--history-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Earlier prompts of the same conversation, oldest first (at most 20): a JSON "
    "array of strings, or plain text with one prompt per line.",
)
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    help='JSONL of {"id", "prompt", "history", "mode", "subject"} requests ("-" for stdin).',
)
@click.option(
    "--output",
    "output_file",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Where batch decisions go (JSONL, input order). Default: stdout.",
)
@click.option("--json", "as_json", is_flag=True, help="One compact JSON line per decision.")
def screen(
    prompt: str | None,
    mode: str,
    subject: str | None,
    image: Path | None,
    output_image: Path | None,
    history_file: Path | None,
    input_file: IO[str] | None,
    output_file: IO[str],
    as_json: bool,
) -> None:
    """Screen a request and print its decision (allow / review / block, with reasons).

    Exit status is 0 for every decision, including block: a detection is not an error.
    In batch mode (--input) a bad line is reported with its line number on stderr,
    the rest is still screened, and the exit status is 1 at the end. Up to
    CONSENTGATE_BATCH_MAX lines are screened at once (their prompts share the
    encoders' batches); the output keeps the input's order.
    """
    if input_file is not None:
        if prompt is not None or image is not None or output_image is not None:
            raise click.UsageError("--input cannot be combined with --prompt or images")
        if history_file is not None:
            raise click.UsageError("--input takes each request's history from its line")
        failed = _screen_batch(app_context().engine(), input_file, output_file)
        if failed:
            sys.exit(1)
        return
    if prompt is None and image is None and output_image is None:
        raise click.UsageError("give --prompt, --image/--output-image, or --input FILE.jsonl")
    if history_file is not None and prompt is None:
        raise click.UsageError("--history-file needs --prompt: the earlier turns are read with it")
    request = validated(
        ScreenRequest,
        {
            "prompt": prompt,
            "history": read_history_file(history_file) if history_file is not None else (),
            "mode": Mode(mode),
            "subject": Subject(subject) if subject else None,
            "source_image": _read_image(image),
            "output_image": _read_image(output_image),
        },
    )
    print_json(app_context().engine().screen(request), compact=as_json)


def _parse_line(raw: str) -> ScreenRequest:
    refuse_duplicate_keys(raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadInput(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise BadInput("each line must be a JSON object")
    unknown = set(data) - BATCH_FIELDS
    if unknown:
        raise BadInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        raise BadInput("'prompt' must be a non-empty string")
    if "history" in data and not isinstance(data["history"], list):
        raise BadInput("'history' must be a list of earlier prompts, oldest first")
    if data.get("id") is not None:
        data["id"] = str(data["id"])
    try:
        return ScreenRequest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BadInput(f"{where}: {err['msg']}") from None


def _lines(handle: IO[str]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(handle, start=1):
        if raw.strip():
            yield number, raw


def _screen_batch(engine: ScreeningEngine, source: IO[str], sink: IO[str]) -> int:
    lines = list(_lines(source))
    if not lines:
        stderr.print("no requests in the input")
        return 0
    failed = 0
    columns = (
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )

    def screen_line(numbered: tuple[int, str]) -> tuple[int, dict[str, Any] | BadInput]:
        number, raw = numbered
        try:
            request = _parse_line(raw)
            return number, batch_line(engine.screen(request), request.id)
        except BadInput as exc:
            return number, exc

    # Up to a batch of lines is screened at once, so that their prompts share the
    # encoders' batches; the output keeps the input's order.
    screened = map_in_order(screen_line, lines, window=engine.batch_window)
    with Progress(*columns, console=stderr, transient=False) as progress:
        task = progress.add_task("screen", total=len(lines))
        for number, outcome in screened:
            if isinstance(outcome, BadInput):
                failed += 1
                progress.console.print(f"line {number}: {outcome.message}", markup=False)
            else:
                sink.write(json.dumps(outcome, ensure_ascii=False))
                sink.write("\n")
                sink.flush()
            progress.advance(task)
    if failed:
        stderr.print(f"{failed} of {len(lines)} line(s) failed", markup=False)
    return failed
