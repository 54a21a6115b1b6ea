"""``consentgate users``: add, list and disable the people who act on cases.

Every case, appeal, evidence and bank action names a user: the one an API key
is bound to (``keys create --user``) or the one a command's ``--actor`` names.
A name is one line of at most 100 characters, unique however it is written
(``Alice``, ``alice`` and the full-width ``ａｌｉｃｅ`` are one name).
"""

from __future__ import annotations

import click

from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.people import ROLE_ACTS, Role


@click.group()
def users() -> None:
    """Manage users (moderator, appeals, compliance, admin)."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="moderator: decide cases, change banks; appeals: decide cases and appeals; "
    "compliance: open evidence; admin: all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
def add(name: str, role: str, as_json: bool) -> None:
    """Add a user; a name taken in any case, width or spacing is a conflict (exit 3)."""
    user = app_context().users().add(name, Role(role))
    if as_json:
        print_json(user, compact=True)
        return
    acts = ", ".join(sorted(a.value for a in ROLE_ACTS[user.role]))
    click.echo(f"added {user.name} ({user.role.value}: {acts})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def list_users(as_json: bool) -> None:
    """List users, disabled ones included."""
    found = app_context().users().list()
    if as_json:
        print_json(found)
        return
    print_table(
        "users",
        ["name", "role", "created", "disabled"],
        [
            (
                u.name,
                u.role.value,
                u.created.isoformat(timespec="seconds"),
                u.disabled.isoformat(timespec="seconds") if u.disabled else "",
            )
            for u in found
        ],
    )


@users.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable a user: their keys stop working and --actor refuses them; their events stay."""
    user = app_context().users().disable(name)
    click.echo(f"disabled {user.name}")
