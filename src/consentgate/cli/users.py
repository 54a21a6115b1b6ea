"""``consentgate users``: add, list and disable the people who act on cases; their passwords.

Every case, appeal, evidence and bank action names a user: the one an API key
is bound to (``keys create --user``), the one a command's ``--actor`` names, or
the one logged in to the console. A name is one line of at most 100
characters, unique however it is written (``Alice``, ``alice`` and the
full-width ``ａｌｉｃｅ`` are one name). Each change is an audit event by
``operator``.

A password (for the console) is never an argument, where ``ps`` and the shell
history would show it: ``--password-stdin`` reads it from standard input (one
line), ``--password`` asks for it twice on a terminal.
"""

from __future__ import annotations

import sys

import click

from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.errors import BadInput
from consentgate.people import ROLE_ACTS, Role
from consentgate.service.accounts import Account
from consentgate.service.passwords import MIN_LENGTH


def stdin_is_a_terminal() -> bool:
    return sys.stdin.isatty()


def read_password(from_stdin: bool, prompt: bool) -> str | None:
    """The password the options ask for, or None when they ask for none."""
    if from_stdin and prompt:
        raise BadInput("give --password or --password-stdin, not both", field="password")
    if from_stdin:
        line = sys.stdin.readline()
        if line.endswith("\n"):
            line = line[:-1].removesuffix("\r")
        if not line:
            raise BadInput("no password on standard input", field="password")
        return line
    if prompt:
        if not stdin_is_a_terminal():
            raise BadInput(
                "--password asks on a terminal; pipe the password in with --password-stdin",
                field="password",
            )
        value: str = click.prompt(
            f"Password (at least {MIN_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt="Repeat it",
            err=True,
        )
        return value
    return None


def password_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option(
        "--password-stdin",
        "password_stdin",
        is_flag=True,
        help="Read the console password from standard input (one line).",
    )(f)
    return click.option(
        "--password",
        "password_prompt",
        is_flag=True,
        help="Ask for the console password on the terminal (twice).",
    )(f)


@click.group()
def users() -> None:
    """Manage users (moderator, appeals, compliance, admin) and their console passwords."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="moderator: decide cases, change banks; appeals: decide cases and appeals; "
    "compliance: open evidence; admin: all, and manage users.",
)
@password_options
@click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
def add(name: str, role: str, password_stdin: bool, password_prompt: bool, as_json: bool) -> None:
    """Add a user; a name taken in any case, width or spacing is a conflict (exit 3).

    Without a password the user acts through API keys only and cannot log in to
    the console until `users passwd` gives them one.
    """
    password = read_password(password_stdin, password_prompt)
    user = app_context().accounts().add(name, Role(role), password)
    if as_json:
        print_json(user, compact=True)
        return
    acts = ", ".join(sorted(a.value for a in ROLE_ACTS[user.role]))
    login = ", console password set" if password is not None else ""
    click.echo(f"added {user.name} ({user.role.value}: {acts}{login})")


@users.command("passwd")
@click.argument("name")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the password from standard input (one line) instead of asking.",
)
def passwd(name: str, password_stdin: bool) -> None:
    """Set a user's console password: their sessions end and a lock-out is lifted."""
    password = read_password(password_stdin, not password_stdin)
    assert password is not None
    user = app_context().accounts().set_password(name, password)
    click.echo(f"password set for {user.name}; their console sessions have ended")


@users.command("unlock")
@click.argument("name")
def unlock(name: str) -> None:
    """Unlock a console account locked after too many wrong passwords."""
    user = app_context().accounts().unlock(name)
    click.echo(f"unlocked {user.name}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def list_users(as_json: bool) -> None:
    """List users, disabled ones included."""
    found = app_context().users().list()
    if as_json:
        print_json(found)
        return
    accounts = {a.user.id: a for a in app_context().accounts().list()}
    print_table(
        "users",
        ["name", "role", "created", "disabled", "console"],
        [
            (
                u.name,
                u.role.value,
                u.created.isoformat(timespec="seconds"),
                u.disabled.isoformat(timespec="seconds") if u.disabled else "",
                _console(accounts[u.id]) if u.id in accounts else "",
            )
            for u in found
        ],
    )


def _console(account: Account) -> str:
    if not account.has_password:
        return "no password"
    return "locked" if account.locked else "password set"


@users.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable a user: their keys stop working, their console sessions end; their events stay."""
    user = app_context().accounts().disable(name)
    click.echo(f"disabled {user.name}")
