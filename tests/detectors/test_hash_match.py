"""The hash-match detector: bank hits become bank_match_<kind> signals the policy acts on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from consentgate.banks.matcher import BankMatcher
from consentgate.banks.service import BankService
from consentgate.detectors.base import DetectorContext, ScreenInput
from consentgate.detectors.hash_match import HashMatchDetector
from consentgate.detectors.lookup import BankHit
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.hashing.image import hash_image_bytes
from consentgate.images.intake import decode_image
from consentgate.policy.loader import load_policy
from consentgate.records import Mode, ScreenRequest, Target, Verdict
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.fakes import CoversAllFake
from tests.hashing.samples import jpeg, rgb


class FakeLookup:
    def __init__(self, hits: Sequence[BankHit]) -> None:
        self.hits = hits
        self.calls: list[tuple[str | None, int, str, tuple[str, ...]]] = []
        self.clients: list[str | None] = []

    def lookup(
        self,
        *,
        pdq: str | None,
        pdq_quality: int,
        md5: str,
        pdq_variants: Sequence[str] = (),
        client: str | None = None,
    ) -> Sequence[BankHit]:
        self.calls.append((pdq, pdq_quality, md5, tuple(pdq_variants)))
        self.clients.append(client)
        return self.hits


def _hit(kind: str, distance: int = 3, bank: str = "b") -> BankHit:
    return BankHit(bank=bank, bank_kind=kind, entry="7", distance=distance, hash_type="pdq")


def _input(source: bytes | None = None, output: bytes | None = None) -> ScreenInput:
    request = ScreenRequest(mode=Mode.EDIT, source_image=source, output_image=output)
    return ScreenInput(
        request=request,
        source=decode_image(source) if source else None,
        output=decode_image(output) if output else None,
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("ncii", "bank_match_ncii"),
        ("csam", "bank_match_csam"),
        ("takedown", "bank_match_takedown"),
        ("consent", "bank_match_consent"),
        ("custom", "bank_match_custom"),
        ("negative", None),
    ],
)
def test_when_lookup_hits_then_signal_names_bank_entry_and_distance(
    kind: str, label: str | None
) -> None:
    detector = HashMatchDetector(FakeLookup([_hit(kind, 12)]))
    signals = detector.detect(_input(source=jpeg(rgb("coffee"))))
    if label is None:
        assert signals == []
        return
    (signal,) = signals
    assert (signal.label, signal.target, signal.score, signal.fired) == (
        label,
        Target.SOURCE_IMAGE,
        1.0,
        True,
    )
    assert (signal.evidence[0].bank, signal.evidence[0].entry, signal.evidence[0].distance) == (
        "b",
        "7",
        12,
    )


def test_when_both_images_are_given_then_both_are_hashed_with_dihedral_variants() -> None:
    lookup = FakeLookup([])
    data = jpeg(rgb("rocket"))
    HashMatchDetector(lookup).detect(_input(source=data, output=jpeg(rgb("coffee"))))
    assert len(lookup.calls) == 2
    assert hash_image_bytes(data).md5 in {call[2] for call in lookup.calls}
    assert all(call[1] == 100 and len(call[3]) == 7 for call in lookup.calls)
    assert HashMatchDetector(lookup, dihedral=False).detect(_input(source=data)) == []
    assert lookup.calls[-1][3] == ()


def test_when_no_banks_are_configured_then_the_image_is_read_and_nothing_matches() -> None:
    detector = HashMatchDetector.from_context(DetectorContext(hash_lookup=None))
    inp = _input(source=jpeg(rgb("coffee")))
    assert detector.reads(inp) == {Target.SOURCE_IMAGE}
    assert detector.detect(inp) == []


@pytest.fixture
def banks(sqlite_url: str) -> Iterator[BankService]:
    db = Database(sqlite_url)
    upgrade(db)
    service = BankService(db, matcher=BankMatcher(db))
    yield service
    db.dispose()


@pytest.mark.parametrize(
    ("kind", "verdict", "rule", "escalate"),
    [
        ("ncii", Verdict.BLOCK, "R2", False),
        ("consent", Verdict.BLOCK, "R2", False),
        ("takedown", Verdict.BLOCK, "R2", False),
        ("csam", Verdict.BLOCK, "R1", True),
    ],
)
def test_when_a_mirrored_reencoded_copy_of_a_banked_image_is_screened_then_policy_acts(
    banks: BankService, kind: str, verdict: Verdict, rule: str, escalate: bool
) -> None:
    banks.create_bank("bank", kind)
    original = jpeg(rgb("astronaut"))
    banks.add_entry("bank", pdq=hash_image_bytes(original).pdq)
    assert banks.matcher is not None
    registry = DetectorRegistry([HashMatchDetector(banks.matcher), CoversAllFake()])
    engine = ScreeningEngine(registry, load_policy(), settings=Settings())
    upload = jpeg(np.ascontiguousarray(rgb("astronaut")[:, ::-1]), quality=60)
    decision = engine.screen(ScreenRequest(mode=Mode.UPLOAD, output_image=upload))
    assert decision.decision is verdict
    assert rule in [r.rule for r in decision.reasons]
    assert decision.escalate is escalate
    other = engine.screen(ScreenRequest(mode=Mode.UPLOAD, output_image=jpeg(rgb("coffee"))))
    assert other.decision is Verdict.ALLOW
    engine.close()
