"""The adapters the gateway and a measuring client know, by name.

A registry object rather than an if-chain of names: the CLI lists it, the
gateway and an assessment ask it, and an unknown name fails once, at
start-up, naming the known ones. Each entry builds its adapter from the
adapter configuration (a file and ``NAME=VALUE`` options); only
``generic-json`` takes one, and the others refuse one rather than ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from consentgate.errors import ConfigError
from consentgate.gateway.adapters.base import Adapter
from consentgate.gateway.adapters.generic_config import load_generic_config
from consentgate.gateway.adapters.generic_json import GenericJsonAdapter
from consentgate.gateway.adapters.openai_images import OpenAIImagesAdapter
from consentgate.gateway.adapters.self_gate import SelfAdapter

AdapterFactory = Callable[[Path | None, Mapping[str, Any]], Adapter]


def _plain(adapter: type[Adapter]) -> AdapterFactory:
    def build(path: Path | None, options: Mapping[str, Any]) -> Adapter:
        if path is not None or options:
            raise ConfigError(f"the {adapter.name} adapter takes no configuration")
        return adapter()

    return build


def _generic(path: Path | None, options: Mapping[str, Any]) -> Adapter:
    return GenericJsonAdapter(load_generic_config(path, options))


class AdapterRegistry:
    """Adapter factories by name; ``build`` and ``get`` raise ConfigError for an unknown one."""

    def __init__(self, factories: Iterable[tuple[str, AdapterFactory]] = ()) -> None:
        self._factories: dict[str, AdapterFactory] = {}
        for name, factory in factories:
            self.add(name, factory)

    def add(self, name: str, factory: AdapterFactory) -> None:
        if name in self._factories:
            raise ConfigError(f"two adapters are named {name!r}")
        self._factories[name] = factory

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._factories))

    def build(
        self, name: str, config: Path | None = None, options: Mapping[str, Any] | None = None
    ) -> Adapter:
        """The adapter ``name``, configured from ``config`` (a file) and ``options``."""
        try:
            factory = self._factories[name]
        except KeyError:
            known = ", ".join(self.names())
            raise ConfigError(f"unknown gateway adapter {name!r} (known: {known})") from None
        return factory(config, options or {})

    def get(self, name: str) -> Adapter:
        """The adapter ``name`` with its default configuration."""
        return self.build(name)


def default_adapters() -> AdapterRegistry:
    return AdapterRegistry(
        [
            (OpenAIImagesAdapter.name, _plain(OpenAIImagesAdapter)),
            (GenericJsonAdapter.name, _generic),
            (SelfAdapter.name, _plain(SelfAdapter)),
        ]
    )
