"""Test-time augmentation of the age reading, with a fake network that records its batch.

Why: the reading averages several crops of each face and their mirrors; these tests
hold that every variant reaches the network in one call, in a known order, and that
the readings are averaged in log-odds before anything is calibrated.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from consentgate.detectors.vision.age_model import (
    AGES,
    MEANS,
    VARIANTS,
    AgeModel,
    aligned_chip,
)
from consentgate.detectors.vision.blazeface import RawFace

FACES = [
    RawFace((60.0, 40.0, 160.0, 160.0), 0.9, ()),
    RawFace((200.0, 60.0, 260.0, 130.0), 0.8, ()),
]


class RecordingNetwork:
    """Answers chip i of a batch with all mass on class ``ages[i]``; keeps every batch."""

    def __init__(self, ages: list[int] | None = None) -> None:
        self.batches: list[npt.NDArray[np.float32]] = []
        self.ages = ages

    def __call__(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        self.batches.append(batch.copy())
        out = np.full((len(batch), len(AGES)), 1e-4, dtype=np.float32)
        for i in range(len(batch)):
            out[i, (self.ages or [40] * len(batch))[i]] = 1.0
        return out / out.sum(axis=1, keepdims=True)


def frame() -> npt.NDArray[np.uint8]:
    return np.random.default_rng(1).integers(0, 255, (240, 320, 3), dtype=np.uint8)


def normalised(chip: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    out: npt.NDArray[np.float32] = ((chip.astype(np.float32) - MEANS) / 256.0).transpose(2, 0, 1)
    return out


def test_when_faces_read_then_one_call_carries_every_variant_and_its_mirror() -> None:
    network = RecordingNetwork()
    AgeModel(network).estimate(frame(), FACES)
    (batch,) = network.batches
    assert batch.shape == (2 * len(VARIANTS) * len(FACES), 3, 64, 64)
    half = len(VARIANTS) * len(FACES)
    assert np.array_equal(batch[half:], batch[:half][..., ::-1])


CHIPS = [(v.name, k, f) for k, v in enumerate(VARIANTS) for f in range(len(FACES))]


@pytest.mark.parametrize(("variant", "k", "face"), CHIPS, ids=[f"{c[0]}-{c[2]}" for c in CHIPS])
def test_when_faces_read_then_the_batch_holds_each_variants_crop_in_order(
    variant: str, k: int, face: int
) -> None:
    network = RecordingNetwork()
    image = frame()
    AgeModel(network).estimate(image, FACES)
    chip = network.batches[0][k * len(FACES) + face]
    assert np.allclose(chip, normalised(aligned_chip(image, FACES[face], VARIANTS[k])))


def test_when_variants_read_then_crops_differ_from_the_aligned_chip() -> None:
    image = frame()
    aligned = aligned_chip(image, FACES[0])
    assert VARIANTS[0].zoom == 1.0 and VARIANTS[0].shift == 0.0
    assert {v.name for v in VARIANTS} >= {"tighter", "looser", "margin"}
    for variant in VARIANTS[1:]:
        assert not np.array_equal(aligned_chip(image, FACES[0], variant), aligned)


def test_when_reads_disagree_then_the_estimate_is_their_log_odds_mean() -> None:
    reads = 2 * len(VARIANTS)
    # one face; half its reads say a 10-year-old, half a 40-year-old
    ages = [10 if i % 2 else 40 for i in range(reads)]
    network = RecordingNetwork(ages)
    (est,) = AgeModel(network).estimate(frame(), FACES[:1])
    per_read = network(network.batches[0])
    minor = per_read[:, AGES < 18].sum(axis=1).astype(np.float64)
    logits = np.log(minor / (1 - minor))
    expected = 1 / (1 + math.exp(-float(logits.mean())))
    assert est.p_minor == pytest.approx(expected, rel=1e-6)
    assert est.p_minor != pytest.approx(float(minor.mean()), abs=1e-3)  # not a plain mean
    assert est.years == pytest.approx(float((per_read * AGES).sum(axis=1).mean()), rel=1e-5)


def test_when_no_face_then_the_network_is_not_called() -> None:
    network = RecordingNetwork()
    assert AgeModel(network).estimate(frame(), []) == []
    assert network.batches == []
