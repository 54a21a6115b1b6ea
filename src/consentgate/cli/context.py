"""What every command shares: settings read once, and the engine built on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import click

from consentgate.banks.wiring import Banks, open_banks, store_exists
from consentgate.cases.clock import fixed_clock, system_clock
from consentgate.cases.service import CaseService
from consentgate.cases.wiring import CaseSystem, build_cases
from consentgate.detectors.base import DetectorContext
from consentgate.engine import ScreeningEngine
from consentgate.people import User
from consentgate.service.accounts import Accounts
from consentgate.service.logins import build_logins
from consentgate.service.users import UserStore
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings, load_settings
from consentgate.store.database import Database


@dataclass
class AppContext:
    settings: Settings
    _engine: ScreeningEngine | None = field(default=None, repr=False)
    _banks: Banks | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    def engine(self) -> ScreeningEngine:
        if self._engine is None:
            lookup = None
            if store_exists(self.settings.database_url):
                lookup = self.banks().matcher
                lookup.ensure_loaded()  # before screening, not inside the time budget
            context = DetectorContext(settings=self.settings, hash_lookup=lookup)
            self._engine = ScreeningEngine.build(self.settings, context)
        return self._engine

    def banks(self) -> Banks:
        """The bank service and matcher over the configured store (migrated on first use).

        Bank changes go into the audit chain and retro-matches open cases, as in
        the HTTP service.
        """
        if self._banks is None:
            observer = self.case_system().automated
            self._banks = open_banks(self.settings, db=self.database(), observer=observer)
        return self._banks

    def database(self) -> Database:
        """The configured store, migrated on first use (shared by every service here)."""
        if self._db is None:
            self._db = self._banks.db if self._banks is not None else prepare_store(self.settings)
        return self._db

    def case_system(self, now: datetime | None = None) -> CaseSystem:
        """The case system over the store; ``now`` fixes its clock (``--now``)."""
        clock = fixed_clock(now) if now is not None else system_clock
        return build_cases(self.database(), self.settings, clock=clock)

    def users(self) -> UserStore:
        """The users of the store (migrated on first use)."""
        return UserStore(self.database())

    def accounts(self) -> Accounts:
        """Users with their console passwords and lock-outs (migrated on first use)."""
        return Accounts(build_logins(self.database(), self.settings))

    def actor(self, name: str) -> User:
        """The active user ``--actor`` names; BadInput (exit 2) for anyone else."""
        return self.users().acting(name)

    def cases(self, now: datetime | None = None) -> CaseService:
        """The case service (with its action hook) over the store."""
        return self.case_system(now).cases


def app_context() -> AppContext:
    """The AppContext of the running command (settings loaded at start-up)."""
    ctx = click.get_current_context()
    obj = ctx.find_object(AppContext)
    if obj is None:
        obj = AppContext(settings=load_settings())
        ctx.obj = obj
    return obj
