"""Calibration constants as data, and face alignment with and without keypoints."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt
from consentgate.detectors.vision.age_model import AgeEstimate, aligned_chip, face_points
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.errors import ConfigError

PLATT = [
    ("identity keeps the value", Platt(1.0, 0.0), 0.3, 0.3),
    ("shift down", Platt(1.0, -2.0), 0.5, 0.1192),
    ("steeper", Platt(2.0, 0.0), 0.75, 0.9),
    ("zero stays inside (0, 1)", Platt(1.0, 0.0), 0.0, 1e-6),
]


@pytest.mark.parametrize(("case", "platt", "p", "expected"), PLATT, ids=[c[0] for c in PLATT])
def test_when_platt_scaling_applied_then_value_as_computed(
    case: str, platt: Platt, p: float, expected: float
) -> None:
    assert platt(p) == pytest.approx(expected, abs=1e-3)


def test_when_separate_fits_disagree_then_child_probability_never_exceeds_minor() -> None:
    cal = AgeCalibration("t", Platt(1.0, 3.0), Platt(1.0, -3.0), 0.5, 0.1, "")
    age = cal.calibrate(AgeEstimate(11.0, 0.5, 0.5))
    assert age.p_child == age.p_minor == pytest.approx(0.0474, abs=1e-3)


def valid() -> dict[str, Any]:
    return {
        "version": "9",
        "child": {"a": 1, "b": 0},
        "minor": {"a": 1.5, "b": -1},
        "thresholds": {"minor": 0.6, "review": 0.2},
    }


BAD = [
    ("missing thresholds", lambda d: d.pop("thresholds")),
    ("review above minor", lambda d: d["thresholds"].update(review=0.9)),
    ("threshold above one", lambda d: d["thresholds"].update(minor=1.5)),
    ("constant not a number", lambda d: d["minor"].update(a="steep")),
]


@pytest.mark.parametrize(("case", "spoil"), BAD, ids=[c[0] for c in BAD])
def test_when_calibration_malformed_then_config_error(case: str, spoil: Any) -> None:
    data = valid()
    assert AgeCalibration.from_dict(data).minor == Platt(1.5, -1.0)
    spoil(data)
    with pytest.raises(ConfigError):
        AgeCalibration.from_dict(data)


def test_when_shipped_calibration_loaded_then_review_band_lies_under_the_threshold() -> None:
    cal = AgeCalibration.load()
    assert 0.0 < cal.review_threshold < cal.minor_threshold < 1.0
    assert cal.fitted_on


def test_when_face_has_no_keypoints_then_points_sit_in_its_box_by_the_mean_layout() -> None:
    box = (100.0, 50.0, 200.0, 170.0)
    points = face_points(RawFace(box, 0.9, ()))
    assert points[0][0] < points[2][0] < points[1][0]  # eyes either side of the nose
    assert points[0][1] == points[1][1] < points[2][1] < points[3][1] < box[3]
    assert np.all((points >= [box[0], box[1]]) & (points <= [box[2], box[3]]))


def test_when_keypoints_sit_where_the_layout_puts_them_then_both_chips_are_equal() -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (240, 240, 3), dtype=np.uint8)
    box = (60.0, 40.0, 160.0, 160.0)
    boxed = RawFace(box, 0.9, ())
    keyed = RawFace(box, 0.9, tuple((float(x), float(y)) for x, y in face_points(boxed)))
    assert aligned_chip(frame, boxed).shape == (64, 64, 3)
    assert np.array_equal(aligned_chip(frame, boxed), aligned_chip(frame, keyed))
