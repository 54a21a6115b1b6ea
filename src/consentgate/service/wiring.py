"""Builds everything a worker serves with, from Settings, in one place.

``consentgate serve`` calls ``prepare_store`` once in the parent process (so
migrations run exactly once, before any worker starts) and ``check_engine`` to
fail loudly on a bad configuration before binding a port; each worker then calls
``Services.build``. The CLI may reuse the same wiring.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from consentgate.detectors.base import DetectorContext
from consentgate.engine import ScreeningEngine
from consentgate.records import Decision, ScreenRequest, Target
from consentgate.service.decisions import DecisionStore, ImageHashes
from consentgate.service.keys import KeyStore
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import is_up_to_date, upgrade

log = logging.getLogger(__name__)

EngineFactory = Callable[[Settings, DetectorContext], ScreeningEngine]


def default_engine(settings: Settings, context: DetectorContext) -> ScreeningEngine:
    return ScreeningEngine.build(settings, context)


def prepare_store(settings: Settings, *, migrate: bool = True) -> Database:
    """Open the store and bring its schema up to date (a no-op when it already is)."""
    db = Database(settings.database_url)
    if migrate and not is_up_to_date(db):
        log.info("migrating the store to the newest schema")
        upgrade(db)
    return db


def check_engine(settings: Settings, factory: EngineFactory = default_engine) -> None:
    """Build the engine once and throw it away: a bad policy or detector set fails here."""
    factory(settings, DetectorContext(settings=settings)).close()


def image_hashes(request: ScreenRequest) -> tuple[ImageHashes, ...]:
    found = []
    for target, data in (
        (Target.SOURCE_IMAGE, request.source_image),
        (Target.OUTPUT_IMAGE, request.output_image),
    ):
        if data:
            found.append(
                ImageHashes(
                    target=target,
                    md5=hashlib.md5(data).hexdigest(),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            )
    return tuple(found)


@dataclass
class Services:
    """One worker's collaborators: the store, the engine and the service objects."""

    settings: Settings
    db: Database
    engine: ScreeningEngine
    keys: KeyStore
    decisions: DecisionStore

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine_factory: EngineFactory = default_engine,
        migrate: bool = True,
    ) -> Services:
        """Open the store, build and warm up the engine; raises ConfigError when it cannot."""
        db = prepare_store(settings, migrate=migrate)
        try:
            engine = engine_factory(settings, DetectorContext(settings=settings))
            engine.registry.warm_up()
        except BaseException:
            db.dispose()
            raise
        return cls(
            settings=settings,
            db=db,
            engine=engine,
            keys=KeyStore(db),
            decisions=DecisionStore(db, store_prompts=settings.store_prompts),
        )

    def screen(self, request: ScreenRequest, *, key_id: str | None = None) -> Decision:
        """Screen and record the decision (one transaction) before returning it."""
        decision = self.engine.screen(request)
        self.decisions.record(
            decision, key_id=key_id, prompt=request.prompt, image_hashes=image_hashes(request)
        )
        return decision

    def close(self) -> None:
        self.engine.close()
        self.db.dispose()
