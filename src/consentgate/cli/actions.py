"""``consentgate actions``: the removal and restoration webhooks, and their dead letters."""

from __future__ import annotations

import click

from consentgate.cases.outbox import ActionQueue, ActionStatus
from consentgate.cases.worker import ActionWorker
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table, stderr
from consentgate.errors import ConfigError
from consentgate.records import utc_now
from consentgate.service.wiring import prepare_store


def _queue() -> ActionQueue:
    return ActionQueue(prepare_store(app_context().settings))


@click.group()
def actions() -> None:
    """Removal and restoration webhooks to the platform (see docs/actions.md)."""


@actions.command("list")
@click.option(
    "--status",
    type=click.Choice([s.value for s in ActionStatus]),
    help="Only actions in this state (dead: the dead-letter list).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the actions as JSON.")
def list_actions(status: str | None, limit: int, as_json: bool) -> None:
    """List queued, sent and dead actions, oldest first."""
    found = _queue().list(status=ActionStatus(status) if status else None, limit=limit)
    if as_json:
        print_json(found)
        return
    rows = [
        (a.id, a.kind.value, a.status.value, a.case_id, a.attempts, a.next_attempt_at,
         a.last_error or "")
        for a in found
    ]  # fmt: skip
    columns = ("id", "kind", "status", "case", "attempts", "next attempt", "last error")
    print_table("Actions", columns, rows)


@actions.command("run")
@click.option("--once", is_flag=True, help="One batch, then stop (default: until none is due).")
def run(once: bool) -> None:
    """Deliver the actions due now to CONSENTGATE_WEBHOOK_URL."""
    settings = app_context().settings
    worker = ActionWorker(prepare_store(settings), settings)
    try:
        if not worker.configured:
            waiting = worker.queue.count(ActionStatus.PENDING)
            raise ConfigError(
                f"CONSENTGATE_WEBHOOK_URL is not set: {waiting} pending action(s) wait in the queue"
            )
        total = 0
        while True:
            attempted = worker.run_once()
            total += attempted
            if once or not attempted:
                break
        dead = worker.queue.count(ActionStatus.DEAD)
    finally:
        worker.close()
    stderr.print(
        f"attempted {total} action(s); {dead} dead (consentgate actions list --status dead)"
    )


@actions.command("replay")
@click.argument("action_id", type=click.IntRange(1, 2**63 - 1))
def replay(action_id: int) -> None:
    """Put a dead action back in the queue, due now (its idempotency key is kept)."""
    action = _queue().replay(action_id, utc_now())
    stderr.print(f"action {action.id} ({action.kind.value}) is pending again")
