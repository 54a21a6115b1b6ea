"""``consentgate cases``: list the queues, read a case's history, decide, appeal, see what is late.

A thin shell over ``CaseService``. Every command that reads time takes
``--now`` (ISO 8601 with a zone), so an audit can replay what the queue looked
like at any instant; a bad instant is one error line and exit 2. ``--actor``
names an active user (``consentgate users add``; exit 2 otherwise), and the
event names that user. A stale ``--version`` or a second decision is a conflict
(exit 3); deciding an appeal on your own decision, under any spelling of your
name, or without a role that decides appeals, is refused (exit 4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from consentgate.cases.deadlines import clock_of
from consentgate.cases.records import (
    Action,
    AppealOutcome,
    Appellant,
    Case,
    CaseEvent,
    CaseState,
    Queue,
)
from consentgate.cases.service import LISTED_STATES, is_expedited
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput


class Instant(click.ParamType[datetime, Any]):
    """An ISO 8601 instant with a time zone; anything else is BadInput (one line, exit 2)."""

    name = "ISO-8601"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        option = param.opts[0] if param is not None and param.opts else "the instant"
        try:
            at = datetime.fromisoformat(str(value))
        except ValueError:
            raise BadInput(
                f"{option}: {value!r} is not an ISO 8601 instant (e.g. 2026-12-03T10:00:00Z)",
                field=option,
            ) from None
        if at.tzinfo is None:
            raise BadInput(
                f"{option}: {value!r} needs a time zone (e.g. 2026-12-03T10:00:00Z)", field=option
            )
        return at


INSTANT = Instant()
now_option = click.option(
    "--now", type=INSTANT, help="The instant to act or judge at (default: the system clock)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
case_id_arg = click.argument("case_id", metavar="ID")


@click.group()
def cases() -> None:
    """Review cases: queues by priority and deadline, decisions, appeals."""


def _listed(case: Case, now: datetime) -> dict[str, Any]:
    status = clock_of(case, now)
    return case.model_dump(mode="json") | {
        "clock": status.value if status else None,
        "expedited": is_expedited(case),
    }


def _print_cases(title: str, rows: list[dict[str, Any]]) -> None:
    """One line per case, ids in full (a table would cut them on a narrow terminal)."""
    if not rows:
        click.echo(f"no {title}")
        return
    click.echo(f"{'id':<32}  {'queue':<28}  {'state':<9}  {'deadline':<20}  clock")
    for r in rows:
        queue = r["queue"] + (" (expedited)" if r["expedited"] else "")
        deadline = r["deadline_at"][:16].replace("T", " ") + "Z"
        click.echo(
            f"{r['id']:<32}  {queue:<28}  {r['state']:<9}  {deadline:<20}  {r['clock'] or '-'}"
        )


@cases.command("list")
@click.option("--queue", type=click.Choice([q.value for q in Queue]))
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in CaseState]),
    help="Repeat for several (default: open, in_review, appealed).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@now_option
@json_option
def list_(
    queue: str | None, states: tuple[str, ...], limit: int, now: datetime | None, as_json: bool
) -> None:
    """Cases to work on, most urgent first: expedited complaints, then by queue and deadline."""
    service = app_context().cases(now)
    found = service.list_cases(
        queue=Queue(queue) if queue else None,
        states=tuple(CaseState(s) for s in states) or LISTED_STATES,
        limit=limit,
    )
    rows = [_listed(c, service.clock()) for c in found]
    if as_json:
        print_json(rows)
        return
    _print_cases("cases", rows)


@cases.command("show")
@case_id_arg
@now_option
@json_option
def show(case_id: str, now: datetime | None, as_json: bool) -> None:
    """One case with every event of its history (from the audit chain)."""
    service = app_context().cases(now)
    case = service.get(case_id)
    events = service.history(case_id)
    if as_json:
        print_json({"case": _listed(case, service.clock()), "events": to_rows(events)})
        return
    listed = _listed(case, service.clock())
    for name in ("id", "kind", "queue", "state", "received_at", "deadline_at", "clock",
                 "version", "decided_by", "action", "appeal_by", "appeal_decided_by"):  # fmt: skip
        if listed.get(name) is not None:
            click.echo(f"{name}: {listed[name]}")
    print_table(
        "events",
        ("seq", "at", "actor", "kind", "reason"),
        [[e.seq, e.at.isoformat(), e.actor, e.kind.value, e.reason] for e in events],
    )


def to_rows(events: list[CaseEvent]) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json") for e in events]


def _done(case: Case, as_json: bool) -> None:
    if as_json:
        print_json(case)
    else:
        click.echo(f"case {case.id}: {case.state.value} (version {case.version})")


@cases.command("decide")
@case_id_arg
@click.option("--action", type=click.Choice([a.value for a in Action]), required=True)
@click.option("--reason", required=True, help="Why (the statement of reasons starts here).")
@click.option("--actor", required=True, help="Who decides: a user (consentgate users add).")
@click.option(
    "--version", type=click.IntRange(0), help="The version you reviewed: refused if it changed."
)
@now_option
@json_option
def decide(
    case_id: str,
    action: str,
    reason: str,
    actor: str,
    version: int | None,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Decide an open case: remove the content, or take no action."""
    case = (
        app_context()
        .cases(now)
        .decide(
            case_id,
            Action(action),
            reason=reason,
            actor=app_context().actor(actor),
            expected_version=version,
        )
    )
    _done(case, as_json)


@cases.command("appeal")
@case_id_arg
@click.option("--by", type=click.Choice([a.value for a in Appellant]), required=True)
@click.option("--text", required=True, help="The complaint, in the appellant's words.")
@click.option("--actor", help="The user who files it for the appellant (default: the appellant).")
@now_option
@json_option
def appeal(
    case_id: str, by: str, text: str, actor: str | None, now: datetime | None, as_json: bool
) -> None:
    """Contest a decision (to act or not to act) within the appeal window."""
    who = app_context().actor(actor) if actor is not None else by
    case = app_context().cases(now).appeal(case_id, by=Appellant(by), text=text, actor=who)
    _done(case, as_json)


@cases.command("decide-appeal")
@case_id_arg
@click.option("--outcome", type=click.Choice([o.value for o in AppealOutcome]), required=True)
@click.option("--reason", required=True)
@click.option("--actor", required=True, help="Who decides: a user other than the one who decided.")
@now_option
@json_option
def decide_appeal(
    case_id: str, outcome: str, reason: str, actor: str, now: datetime | None, as_json: bool
) -> None:
    """Uphold or reverse an appealed decision (another reviewer than the first decider)."""
    case = (
        app_context()
        .cases(now)
        .decide_appeal(
            case_id, AppealOutcome(outcome), reason=reason, actor=app_context().actor(actor)
        )
    )
    _done(case, as_json)


@cases.command("overdue")
@now_option
@json_option
def overdue(now: datetime | None, as_json: bool) -> None:
    """Undecided cases at risk (last quarter of their time) or past their deadline at --now."""
    service = app_context().cases(now)
    rows = [_listed(case, service.clock()) for case, _status in service.overdue()]
    if as_json:
        print_json(rows)
        return
    _print_cases("overdue cases", rows)
