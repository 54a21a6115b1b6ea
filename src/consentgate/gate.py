"""``Gate``: the engine in process, for a Python caller, with no server.

Why a class and not module functions: everything a gate uses (settings, engine,
bank store) comes in through its constructor and lives on the instance, so two
gates in one process never share state by surprise — one in adult mode and one
not, or two stores, give independent answers. The gate is a thin shell like the
CLI: it turns paths, bytes and PIL images into a ``ScreenRequest`` through the one
safe image intake and hands it to the engine. Like ``consentgate screen`` and
``consentgate match`` it records nothing: no decision row, no case, no hash of a
screened image (the HTTP service does that, for a platform's audit trail).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from consentgate.banks.wiring import Banks, open_banks, store_exists
from consentgate.cases.wiring import build_cases
from consentgate.detectors.base import DetectorContext
from consentgate.detectors.lookup import BankHit
from consentgate.engine import ScreeningEngine
from consentgate.errors import BadInput, ConsentGateError
from consentgate.fields import validated
from consentgate.images.given import ImageLike, image_bytes
from consentgate.images.limits import ImageLimits
from consentgate.in_order import map_in_order
from consentgate.records import Decision, Mode, ScreenRequest, Subject
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings, load_settings

IMAGE_FIELDS = ("source_image", "output_image")


class Gate:
    """Screens requests and matches images against the banks, in process.

    ``settings`` default to the environment (``CONSENTGATE_*``), as for the CLI.
    ``engine`` and ``banks`` replace the ones built from settings (tests, or a
    caller that wires its own detectors). The gate owns what it holds: ``close``
    (or leaving a ``with`` block) closes the engine and the bank store.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        engine: ScreeningEngine | None = None,
        banks: Banks | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.limits = ImageLimits.from_settings(self.settings)
        self._lock = threading.Lock()
        self._closed = False
        self._banks = banks
        if banks is None and engine is None and store_exists(self.settings.database_url):
            self._banks = self._open_banks()
        try:
            self.engine = engine if engine is not None else self._build_engine()
        except BaseException:
            if self._banks is not None and banks is None:
                self._banks.close()  # opened here for the engine that failed to build
            raise

    def _build_engine(self) -> ScreeningEngine:
        """As the CLI does: bank matching in the screen only when a store exists."""
        lookup = None
        if self._banks is not None:
            lookup = self._banks.matcher
            lookup.ensure_loaded()  # before screening, not inside the time budget
        context = DetectorContext(settings=self.settings, hash_lookup=lookup)
        return ScreeningEngine.build(self.settings, context)

    def _open_banks(self) -> Banks:
        db = prepare_store(self.settings)
        observer = build_cases(db, self.settings).automated
        return open_banks(self.settings, db=db, observer=observer)

    def banks(self) -> Banks:
        """The bank service over the configured store (created and migrated on first use)."""
        with self._lock:
            self._check_open()
            if self._banks is None:
                self._banks = self._open_banks()
            return self._banks

    def screen(
        self,
        *,
        mode: Mode | str = Mode.GENERATE,
        prompt: str | None = None,
        source_image: ImageLike | None = None,
        output_image: ImageLike | None = None,
        subject: Subject | str | None = None,
        id: str | None = None,
        history: Sequence[str] = (),
    ) -> Decision:
        """The decision for one request; a block is a decision, never an exception.

        ``history``: the earlier prompts of the same conversation, oldest first (at
        most 20); the prompt is read in their context (``docs/prompt.md``)."""
        return self.screen_request(
            self.request(
                {
                    "id": id,
                    "mode": mode,
                    "prompt": prompt,
                    "history": history,
                    "subject": subject,
                    "source_image": source_image,
                    "output_image": output_image,
                }
            )
        )

    def screen_request(self, request: ScreenRequest) -> Decision:
        self._check_open()
        if request.prompt is None and request.source_image is None and request.output_image is None:
            raise BadInput("give a prompt, a source_image or an output_image")
        return self.engine.screen(request)

    def screen_many(
        self, requests: Iterable[ScreenRequest | Mapping[str, Any]]
    ) -> Iterator[Decision]:
        """Decisions in input order.

        With the batcher on (``CONSENTGATE_BATCH_WAIT_MS``) up to a batch of
        requests is screened at once, so that their prompts share encoder batches;
        each keeps its own time budget. A bad item raises BadInput naming its
        position (from 0) when it is reached; the decisions before it have been
        yielded already.
        """

        def screen_one(numbered: tuple[int, ScreenRequest | Mapping[str, Any]]) -> Decision:
            number, item = numbered
            try:
                request = item if isinstance(item, ScreenRequest) else self.request(item)
                return self.screen_request(request)
            except BadInput as exc:
                raise type(exc)(f"request {number}: {exc.message}", field=exc.field) from None

        window = self.engine.batch_window
        return map_in_order(screen_one, enumerate(requests), window=window)

    def request(self, values: Mapping[str, Any]) -> ScreenRequest:
        """A ``ScreenRequest`` from keyword values; images may be paths, bytes or PIL images."""
        if not isinstance(values, Mapping):
            kind = type(values).__name__
            raise BadInput(f"a request must be a ScreenRequest or a dict, not {kind}")
        data = dict(values)
        if isinstance(data.get("history"), str):  # one string is not a list of turns
            raise BadInput(
                "history must be a list of earlier prompts, not a string", field="history"
            )
        for name in IMAGE_FIELDS:
            if data.get(name) is not None:
                data[name] = image_bytes(data[name], self.limits)
        return validated(ScreenRequest, data)

    def match(self, image: ImageLike, *, dihedral: bool | None = None) -> list[BankHit]:
        """Every bank entry within its bank's threshold of ``image``, as ``consentgate match``.

        ``dihedral`` (default: ``CONSENTGATE_HASH_DIHEDRAL``) also matches the image
        rotated and mirrored. Negative banks' suppressions are left out, as in the CLI.
        """
        data = image_bytes(image, self.limits)
        turn = self.settings.hash_dihedral if dihedral is None else dihedral
        query = image if isinstance(image, str) else "image"
        return list(self.banks().service.match_image(data, query=query, dihedral=turn).matches)

    def close(self) -> None:
        """Stop the engine's workers and close the bank store; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.engine.close()
            if self._banks is not None:
                self._banks.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ConsentGateError("this Gate is closed")

    def __enter__(self) -> Gate:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
