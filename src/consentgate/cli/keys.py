"""``consentgate keys``: create, list and revoke API keys (shown once, stored hashed)."""

from __future__ import annotations

import click

from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table, stderr
from consentgate.service.keys import KeyStore, Scope
from consentgate.service.wiring import prepare_store
from consentgate.settings import load_settings


def _store(database_url: str | None) -> KeyStore:
    settings = app_context().settings
    if database_url is not None:
        settings = load_settings(
            **{**settings.model_dump(exclude_unset=True), "database_url": database_url}
        )
    return KeyStore(prepare_store(settings))


database_option = click.option(
    "--database-url", help="SQLAlchemy URL of the store (default: CONSENTGATE_DATABASE_URL)."
)


@click.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in Scope]),
    help="A scope the key holds (repeat for several). admin implies all.",
)
@click.option("--name", default="", help="A name to recognise the key by.")
@click.option(
    "--user",
    help="The user the key acts for: its case, appeal and bank actions name them; "
    "its scopes must fit their role.",
)
@click.option("--rate-limit", type=float, help="Requests/s per worker (0 = unlimited).")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "key", "scopes", "user"}.')
@database_option
def create(
    scopes: tuple[str, ...],
    name: str,
    user: str | None,
    rate_limit: float | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    new = _store(database_url).create(
        [Scope(s) for s in scopes], name=name, rate_limit_per_s=rate_limit, user=user
    )
    if as_json:
        print_json(new, compact=True)
        return
    click.echo(new.key)
    owner = f" for {new.user}" if new.user else ""
    stderr.print(
        f"key {new.id}{owner} ({', '.join(new.scopes)}): store it now, it cannot be shown again",
        markup=False,
    )


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@database_option
def list_keys(as_json: bool, database_url: str | None) -> None:
    """List keys (never their secrets)."""
    found = _store(database_url).list()
    if as_json:
        print_json(found)
        return
    print_table(
        "API keys",
        ["id", "name", "user", "prefix", "scopes", "created", "revoked"],
        [
            (
                k.id,
                k.name,
                k.user.name if k.user else "",
                k.prefix + "…",
                ", ".join(k.scopes),
                k.created.isoformat(timespec="seconds"),
                k.revoked.isoformat(timespec="seconds") if k.revoked else "",
            )
            for k in found
        ],
    )


@keys.command("revoke")
@click.argument("key_id")
@database_option
def revoke(key_id: str, database_url: str | None) -> None:
    """Revoke a key; every worker refuses it within key_cache_s (1 s by default)."""
    key = _store(database_url).revoke(key_id)
    click.echo(f"revoked {key.id} ({key.name})")
