"""``consentgate assess``: measure an image endpoint, or our own gate; ``compare`` two reports.

A thin shell: it reads the options, builds the suite, the target, the state
file and the runner (consentgate.assess), shows progress on stderr, writes the
report and prints its figures. Bad options and bad files exit 2 with one line;
``compare`` exits 1 when the second report is worse beyond the tolerance.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from consentgate.assess.compare import Change, Tolerance, compare, load_report, same_suite
from consentgate.assess.outcome import ItemResult
from consentgate.assess.render import FORMATS, summary, write_report
from consentgate.assess.report import build_report
from consentgate.assess.runner import OutputScreen, Runner
from consentgate.assess.state import StateFile, state_path
from consentgate.assess.suite import SUITES, Suite, build_suite
from consentgate.assess.targets import TargetSpec, select_target
from consentgate.cli.adapter_options import adapter_options
from consentgate.cli.context import app_context
from consentgate.cli.output import stderr
from consentgate.errors import BadInput
from consentgate.gate import Gate


def _api_key(name: str | None) -> str | None:
    if name is None:
        return None
    value = os.environ.get(name, "").strip()
    if not value:
        raise BadInput(f"--api-key-env names {name}, which is not set")
    return value


async def _run(runner: Runner, suite: Suite, progress: Progress) -> None:
    task = progress.add_task("assess", total=len(runner.todo(suite)))

    def advance(_: ItemResult) -> None:
        progress.advance(task)

    try:
        await runner.run(suite, on_result=advance)
    finally:
        await runner.endpoint.aclose()


@click.group(invoke_without_command=True)
@click.option("--target", type=click.Choice(["self"]), help="Measure ConsentGate's own gate.")
@click.option("--endpoint", help="Base URL of the image API to measure, e.g. http://host/v1.")
@adapter_options("the endpoint's")
@click.option(
    "--api-key-env",
    metavar="VAR",
    help="Environment variable holding the endpoint's key (sent as a Bearer token, kept nowhere).",
)
@click.option(
    "--suite",
    "suite_name",
    type=click.Choice(list(SUITES)),
    default="default",
    show_default=True,
    help="Which suite: smoke (about 130), default (about 2,300), full (every request).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every choice.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report file, .json or .html; the state file goes beside it (NAME.state.jsonl).",
)
@click.option("--max-requests", type=click.IntRange(min=0), help="Send at most N in this run.")
@click.option("--rps", type=click.FloatRange(min=0, min_open=True), help="At most N per second.")
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True, max=600),
    default=60.0,
    show_default=True,
    help="Seconds one request may take before it counts as failed.",
)
@click.option("--fresh", is_flag=True, help="Discard an earlier run's state file and start over.")
@click.pass_context
def assess(
    ctx: click.Context,
    target: str | None,
    endpoint: str | None,
    adapter: str | None,
    adapter_config: Path | None,
    adapter_options: dict[str, str],
    api_key_env: str | None,
    suite_name: str,
    seed: int,
    out: Path | None,
    max_requests: int | None,
    rps: float | None,
    timeout_s: float,
    fresh: bool,
) -> None:
    """Red-team an image endpoint, or ConsentGate's own gate (see docs/assess.md).

    Sends the suite one request at a time, counts refusals of harmful requests and
    of ordinary ones, screens every returned image, and writes the report. An
    interrupted run resumes where it stopped when the same command is run again.
    """
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise BadInput("give --out REPORT.json or --out REPORT.html")
    if out.suffix.lower() not in FORMATS:
        raise BadInput(f"--out must end in .json or .html, not {out.name!r}")
    spec = TargetSpec(
        target=target,
        endpoint=endpoint,
        adapter=adapter,
        adapter_config=adapter_config,
        adapter_options=adapter_options,
        api_key=_api_key(api_key_env),
        timeout_s=timeout_s,
    )
    suite = build_suite(suite_name, seed)
    app = app_context()
    with Gate(app.settings, engine=app.engine()) as gate:
        chosen = select_target(spec, gate=gate, settings=app.settings)
        header = {
            "suite": suite.name,
            "seed": suite.seed,
            "fingerprint": suite.fingerprint(),
            "target": chosen.description,
        }
        state = StateFile(state_path(out), header).open(fresh=fresh)
        runner = Runner(
            chosen.endpoint, OutputScreen(gate), state, rps=rps, max_requests=max_requests
        )
        if state.results:
            stderr.print(
                f"{len(state.results)} of {len(suite.items)} requests were done already "
                f"({state.path}); sending the rest",
                markup=False,
            )
        columns = (TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=stderr) as progress:
                asyncio.run(_run(runner, suite, progress))
        except KeyboardInterrupt:
            stderr.print(
                f"interrupted: {len(state.results)} of {len(suite.items)} done; "
                "run the same command again to continue",
                markup=False,
            )
            raise
        finally:
            state.close()
            report = build_report(suite, state.results, chosen.description)
            write_report(report, out)
    for line in summary(report, out):
        click.echo(line)


def _figure(value: float | None, change: Change) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if change.metric == "leaks" else f"{value:.3f}"


@assess.command("compare")
@click.argument("last", type=click.Path(path_type=Path))
@click.argument("this", type=click.Path(path_type=Path))
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Allowed fall of the harmful refusal rate, rise of the false refusal and "
    "error rates (absolute).",
)
@click.option(
    "--group-tolerance",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="The same for each category, tactic, language and photo row.",
)
@click.option(
    "--min-n",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Rows with fewer requests of a side in either report are not judged.",
)
@click.option("--all", "show_all", is_flag=True, help="List unchanged rows too.")
@click.pass_context
def compare_reports(
    ctx: click.Context,
    last: Path,
    this: Path,
    tolerance: float,
    group_tolerance: float,
    min_n: int,
    show_all: bool,
) -> None:
    """Compare two JSON reports of `assess`: exit 1 if THIS is worse than LAST.

    Worse: the harmful refusal rate fell, or the false refusal or error rate rose,
    by more than --tolerance; more leaks; or a breakdown row moved the wrong way
    by more than --group-tolerance. Exit 0 otherwise, 2 for a file that is not a report.
    """
    before, after = load_report(last), load_report(this)
    changes = compare(before, after, Tolerance(tolerance, group_tolerance, min_n))
    if not same_suite(before, after):
        stderr.print("warning: the reports are of different suites; their requests differ")
    if not (before.suite.complete and after.suite.complete):
        stderr.print("warning: a report is of an unfinished run")
    table = Table(title=f"{last} → {this}")
    for column in ("figure", "last", "this", "change", "verdict"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for n, change in enumerate(changes):
        moved = change.delta is None or abs(change.delta) > 1e-12
        if n >= 4 and not (show_all or moved or change.worse):
            continue
        delta = "–" if change.delta is None else f"{change.delta:+.3f}"
        verdict = "[red]worse[/red]" if change.worse else "ok"
        table.add_row(
            change.metric,
            _figure(change.last, change),
            _figure(change.this, change),
            delta,
            verdict,
        )
    Console(width=max(100, Console().width)).print(table)
    worse = sum(c.worse for c in changes)
    click.echo(f"{worse} figure(s) worse beyond the tolerance" if worse else "not worse")
    ctx.exit(1 if worse else 0)
