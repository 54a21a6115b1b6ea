"""``consentgate``: the command-line entry point.

Domain errors are translated to messages and exit codes here, at one edge:
0 success (any decision, including block: a detection is never an error),
1 some input lines failed, 2 bad input or configuration, 3 not found or
conflict, 4 unauthorised, 5 unavailable.
"""

from __future__ import annotations

import sys

import click

from consentgate.cli.actions import actions
from consentgate.cli.assess import assess
from consentgate.cli.audit import audit
from consentgate.cli.bank import bank
from consentgate.cli.cases import cases
from consentgate.cli.context import AppContext
from consentgate.cli.demo import demo
from consentgate.cli.detectors import detectors
from consentgate.cli.escalations import escalations
from consentgate.cli.evidence import evidence
from consentgate.cli.hash import hash_images
from consentgate.cli.keys import keys
from consentgate.cli.match import match
from consentgate.cli.notice import notice
from consentgate.cli.proxy import proxy
from consentgate.cli.report import report
from consentgate.cli.schema import schema
from consentgate.cli.screen import screen
from consentgate.cli.serve import serve
from consentgate.cli.sor import sor
from consentgate.cli.users import users
from consentgate.errors import ConsentGateError
from consentgate.settings import load_settings
from consentgate.store.faults import store_fault


class ConsentGateGroup(click.Group):
    """Translates domain errors to a one-line message and an exit code (the one edge)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConsentGateError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:  # a store outage is an answer, not a traceback
            fault = store_fault(exc)
            if fault is None:
                raise
            click.echo(f"error: {fault.message}", err=True)
            ctx.exit(fault.exit_code)


@click.group(
    cls=ConsentGateGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="consentgate")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """ConsentGate: screen image requests and outputs; block non-consensual and child abuse
    imagery with reasons.

    Settings come from CONSENTGATE_* environment variables (see docs/settings.md).
    """
    if ctx.obj is None:  # tests and embedders may pass their own AppContext
        ctx.obj = AppContext(settings=load_settings())


cli.add_command(screen)
cli.add_command(detectors)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(proxy)
cli.add_command(assess)
cli.add_command(keys)
cli.add_command(users)
cli.add_command(schema)
cli.add_command(bank)
cli.add_command(hash_images)
cli.add_command(match)
cli.add_command(actions)
cli.add_command(notice)
cli.add_command(cases)
cli.add_command(sor)
cli.add_command(audit)
cli.add_command(evidence)
cli.add_command(escalations)
cli.add_command(report)


def main() -> None:
    try:
        result = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except ConsentGateError as exc:  # raised before a command ran (settings)
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    # In non-standalone mode click returns the exit code of ctx.exit() calls.
    sys.exit(result if isinstance(result, int) else 0)
