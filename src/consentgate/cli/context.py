"""What every command shares: settings read once, and the engine built on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from consentgate.engine import ScreeningEngine
from consentgate.settings import Settings, load_settings


@dataclass
class AppContext:
    settings: Settings
    _engine: ScreeningEngine | None = field(default=None, repr=False)

    def engine(self) -> ScreeningEngine:
        if self._engine is None:
            self._engine = ScreeningEngine.build(self.settings)
        return self._engine


def app_context() -> AppContext:
    """The AppContext of the running command (settings loaded at start-up)."""
    ctx = click.get_current_context()
    obj = ctx.find_object(AppContext)
    if obj is None:
        obj = AppContext(settings=load_settings())
        ctx.obj = obj
    return obj
