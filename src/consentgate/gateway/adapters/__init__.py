"""The adapters the gateway knows, by name.

A registry object rather than an if-chain of names: the CLI lists it, the
gateway asks it, and an unknown name fails once, at start-up, naming the
known ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.errors import ConfigError
from consentgate.gateway.adapters.base import Adapter
from consentgate.gateway.adapters.openai_images import OpenAIImagesAdapter


class AdapterRegistry:
    """Adapters by name; ``get`` raises ConfigError for a name it does not hold."""

    def __init__(self, adapters: Iterable[Adapter] = ()) -> None:
        self._adapters: dict[str, Adapter] = {}
        for adapter in adapters:
            self.add(adapter)

    def add(self, adapter: Adapter) -> None:
        if adapter.name in self._adapters:
            raise ConfigError(f"two adapters are named {adapter.name!r}")
        self._adapters[adapter.name] = adapter

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._adapters))

    def get(self, name: str) -> Adapter:
        try:
            return self._adapters[name]
        except KeyError:
            known = ", ".join(self.names())
            raise ConfigError(f"unknown gateway adapter {name!r} (known: {known})") from None


def default_adapters() -> AdapterRegistry:
    return AdapterRegistry([OpenAIImagesAdapter()])
