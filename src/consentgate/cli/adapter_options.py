"""The adapter options that ``proxy`` and ``assess`` share: one definition, two commands.

``--adapter`` names a gateway adapter, ``--adapter-config`` a YAML or JSON
file configuring it, ``--adapter-option NAME=VALUE`` one setting over the file
(repeatable). The options arrive as ``adapter``, ``adapter_config`` and
``adapter_options`` (a mapping); a pair without ``=`` is a usage error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from consentgate.gateway.adapters import default_adapters

__all__ = ["adapter_options"]

F = TypeVar("F", bound=Callable[..., object])


def _pairs(_: click.Context, param: click.Parameter, given: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a mapping; a pair without ``=`` is a usage error."""
    found: dict[str, str] = {}
    for pair in given:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param=param)
        found[name.strip()] = value
    return found


def adapter_options(api: str) -> Callable[[F], F]:
    """``--adapter``, ``--adapter-config`` and ``--adapter-option``; ``api`` names whose API."""
    options = (
        click.option(
            "--adapter",
            type=click.Choice(default_adapters().names()),
            help=f"How {api} API is spelt.  [default: openai-images]",
        ),
        click.option(
            "--adapter-config",
            type=click.Path(dir_okay=False, path_type=Path),
            help="YAML or JSON file configuring the adapter (generic-json: where the prompt, "
            "photos and images are; see docs/gateway.md).",
        ),
        click.option(
            "--adapter-option",
            "adapter_options",
            multiple=True,
            metavar="NAME=VALUE",
            callback=_pairs,
            help="One adapter setting, over the file (repeatable), e.g. request_prompt=input.text.",
        ),
    )

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
