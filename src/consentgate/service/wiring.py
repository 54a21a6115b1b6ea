"""Builds everything a worker serves with, from Settings, in one place.

``consentgate serve`` calls ``prepare_store`` once in the parent process (so
migrations run exactly once, before any worker starts) and ``check_engine`` to
fail loudly on a bad configuration before binding a port; each worker then calls
``Services.build``. The CLI may reuse the same wiring.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from consentgate.banks.retro import record_screened
from consentgate.banks.wiring import Banks, open_banks
from consentgate.cases.automated import AutomatedCases
from consentgate.cases.service import CaseService
from consentgate.cases.statements.writer import StatementWriter
from consentgate.cases.wiring import build_cases
from consentgate.cases.worker import BackgroundWorker, start_worker, stop_worker
from consentgate.detectors.base import DetectorContext, ScreenInput
from consentgate.engine import ScreeningEngine
from consentgate.hashing.image import hashes_of_decoded
from consentgate.records import Decision, ScreenRequest, Target
from consentgate.service.decisions import DecisionStore, ImageHashes, Screened, screen_once
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
    db = Database(settings.database_url, busy_timeout_s=settings.store_busy_timeout_s)
    if migrate and not is_up_to_date(db):
        log.info("migrating the store to the newest schema")
        upgrade(db)
    return db


def check_engine(
    settings: Settings, factory: EngineFactory = default_engine, *, warm: bool = False
) -> None:
    """Build the engine once and throw it away: a bad policy or detector set fails here.

    ``warm``: load every model now as well. The models stay loaded in this process
    (each is loaded once per process, ``detectors.vision.loader``), so an engine built
    here later, or in a worker forked from here, starts with them.
    """
    engine = factory(settings, DetectorContext(settings=settings))
    try:
        if warm:
            engine.registry.warm_up()
    finally:
        engine.close()


def image_hashes(inp: ScreenInput, *, dihedral: bool) -> tuple[ImageHashes, ...]:
    """The hashes kept of the screened images, from the engine's decoded copies.

    The PDQ is the one the hash-match detector computed for the same image (it
    is memoised on the decoded image), so recording costs no second decode.
    """
    found = []
    for target in (Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE):
        image = inp.image(target)
        if image is None:
            continue
        hashed = hashes_of_decoded(image, dihedral=dihedral)
        found.append(
            ImageHashes(
                target=target,
                md5=hashed.md5,
                sha256=hashed.sha256,
                pdq=hashed.pdq,
                pdq_quality=hashed.quality,
            )
        )
    return tuple(found)


def _evidence(inp: ScreenInput) -> list[tuple[bytes, str]]:
    """The screened images' bytes, for the evidence an escalation must keep."""
    found = []
    for data, image in (
        (inp.request.source_image, inp.source),
        (inp.request.output_image, inp.output),
    ):
        if data is not None and image is not None:
            found.append((data, f"image/{image.format.lower()}"))
    return found


@dataclass
class Services:
    """One worker's collaborators: the store, the engine and the service objects."""

    settings: Settings
    db: Database
    engine: ScreeningEngine
    keys: KeyStore
    decisions: DecisionStore
    banks: Banks
    cases: CaseService
    automated: AutomatedCases
    statements: StatementWriter
    actions: BackgroundWorker | None = None  # delivers queued actions (with a webhook URL)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine_factory: EngineFactory = default_engine,
        migrate: bool = True,
    ) -> Services:
        """Open the store, load the hash index, build and warm up the engine.

        Raises ConfigError when it cannot. The hash index is loaded before this
        returns and then follows the store in a background thread.
        """
        db = prepare_store(settings, migrate=migrate)
        system = build_cases(db, settings)
        banks: Banks | None = None
        if system.vault is not None and system.vault.enabled:
            try:
                system.vault.check_key()  # a worker started without `serve` refuses it too
            except BaseException:
                db.dispose()
                raise
        actions: BackgroundWorker | None = None
        try:
            banks = open_banks(settings, db=db, start=True, observer=system.automated)
            context = DetectorContext(settings=settings, hash_lookup=banks.matcher)
            engine = engine_factory(settings, context)
            engine.registry.warm_up()
            actions = start_worker(db, settings, cases=system.cases)
        except BaseException:
            if banks is not None:
                banks.notices.close()
                banks.matcher.close()
            db.dispose()
            raise
        return cls(
            settings=settings,
            db=db,
            engine=engine,
            keys=KeyStore(db),
            decisions=DecisionStore(db, store_prompts=settings.store_prompts),
            banks=banks,
            cases=system.cases,
            automated=system.automated,
            statements=system.statements,
            actions=actions,
        )

    def screen_once(self, request: ScreenRequest, *, key_id: str) -> Screened:
        """Screen for an API key, idempotently on the request's ``id`` (see ``screen_once``)."""
        if request.id is None:
            return Screened(decision=self.screen(request, key_id=key_id))
        return screen_once(
            self.decisions,
            request,
            key_id=key_id,
            screen=lambda store: self.screen(request, key_id=key_id, recorder=store),
        )

    def screen(
        self,
        request: ScreenRequest,
        *,
        key_id: str | None = None,
        recorder: DecisionStore | None = None,
    ) -> Decision:
        """Screen, then record the decision and the images' hashes in one transaction.

        The screened hashes feed retro-matching: an entry added to a bank later
        is matched against them. A decision that needs a person (review, or an
        R1 escalation) opens its case in the same transaction, and a blocked
        upload its statement of reasons (the answer carries its id and how to
        appeal). Nothing is returned before the commit.
        ``recorder`` replaces the decision store for this one screen (e.g. one
        bound to the request's fingerprint for idempotent retries).
        """
        started = time.perf_counter()
        inp = self.engine.prepare(request, client=key_id)
        decision = self.engine.screen_prepared(inp, started=started)
        hashes = image_hashes(inp, dihedral=self.settings.hash_dihedral)
        with self.db.write() as conn:
            decision = self.statements.for_upload(conn, decision)
            (recorder or self.decisions).record(
                decision, key_id=key_id, prompt=request.prompt, image_hashes=hashes, conn=conn
            )
            for h in hashes:
                record_screened(
                    conn,
                    decision_id=decision.id,
                    target=h.target.value,
                    pdq=h.pdq,
                    quality=h.pdq_quality,
                    md5=h.md5,
                    screened_at=decision.created,
                )
            self.automated.screened(
                conn, decision, hashes, _evidence(inp) if decision.escalate else ()
            )
        return decision

    def close(self) -> None:
        stop_worker(self.actions)
        self.engine.close()
        self.banks.notices.close()
        self.banks.matcher.close()
        self.db.dispose()
