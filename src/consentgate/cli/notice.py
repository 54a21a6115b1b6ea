"""``consentgate notice``: take a notice in from a file, and say where one stands.

The same intake as ``POST /v1/notices`` (``NoticeService``): a file that is not
a complete notice is one ``error:`` line naming every bad field, and exit 2;
nothing is recorded then. ``--now`` fixes the instant of receipt (imports of
notices received by other means, and audits). ``--idempotency-key`` files a
notice once per key, shared with ``POST /v1/notices``'s ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import parse_notice
from consentgate.cases.replays import KeyedRequest, ReplayScope
from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--now: {value!r} is not an ISO 8601 instant", field="--now") from None
    if at.tzinfo is None:
        raise BadInput(f"--now: {value!r} needs a time zone (e.g. Z)", field="--now")
    return at


def _service(now: datetime | None = None) -> NoticeService:
    system = app_context().case_system(now)
    return NoticeService(system.cases.db, system.cases, vault=system.vault)


@click.group()
def notice() -> None:
    """Notices of content (DSA, TAKE IT DOWN, UK intimate image, child safety)."""


@notice.command("submit")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--now", help="The instant of receipt, ISO 8601 with a zone (default: now).")
@click.option(
    "--idempotency-key",
    "key",
    metavar="KEY",
    help="File the notice once per KEY (as the API's Idempotency-Key): a retry prints the "
    "first receipt; KEY with another notice exits 3.",
)
def submit(file: Path, now: str | None, key: str | None) -> None:
    """Submit the notice in FILE (JSON; see examples/notices/) and print its receipt."""
    at = _instant(now)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror}") from None
    notice = parse_notice(raw)
    keyed = None if key is None else KeyedRequest.of(ReplayScope.NOTICES, key, notice)
    submitted = _service(at).submit_once(notice, keyed)
    if submitted.replayed:
        click.echo("replayed: this key already filed this notice; its receipt again", err=True)
    print_json(submitted.receipt)


@notice.command("status")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(code: str, as_json: bool) -> None:
    """Where the notice with tracking CODE stands, item by item."""
    found = _service().status(code)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            n,
            item.url or item.content_id or item.image_md5,
            item.state.value,
            item.decision.action.value if item.decision else None,
            item.decision.redress.appeal_until.isoformat() if item.decision else None,
        )
        for n, item in enumerate(found.items)
    ]
    title = f"{found.kind} notice received {found.received_at.isoformat()}"
    print_table(title, ("item", "where", "state", "decision", "appeal until"), rows)
