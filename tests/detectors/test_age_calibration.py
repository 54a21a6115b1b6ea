"""Calibration constants as data, and face alignment with and without keypoints."""

from __future__ import annotations

import itertools
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


def banded() -> dict[str, Any]:
    data = valid()
    data["bands"] = [
        {"below_px": 48, "child": {"a": 1, "b": -3}, "minor": {"a": 1, "b": -3}},
        {"below_px": 96, "child": {"a": 1, "b": 0}, "minor": {"a": 1, "b": 0}},
        {"below_px": None, "child": {"a": 1, "b": 3}, "minor": {"a": 1, "b": 3}},
    ]
    return data


SIZES = [
    ("small face: first band", 30.0, 0.0474),
    ("on the first bound: second band", 48.0, 0.5),
    ("middle face: second band", 80.0, 0.5),
    ("large face: open band", 300.0, 0.9526),
    ("size unknown: pooled", None, 0.2689),  # minor Platt(1.5, -1) of 0.5
]


@pytest.mark.parametrize(("case", "size", "expected"), SIZES, ids=[c[0] for c in SIZES])
def test_when_face_size_given_then_its_band_calibrates_it(
    case: str, size: float | None, expected: float
) -> None:
    cal = AgeCalibration.from_dict(banded())
    assert cal.calibrate(AgeEstimate(30.0, 0.5, 0.5), size).p_minor == pytest.approx(
        expected, abs=1e-3
    )


BAD_BANDS = [
    ("falling scaling", lambda d: d["bands"][1]["minor"].update(a=-0.5)),
    ("flat scaling", lambda d: d["bands"][0]["child"].update(a=0)),
    ("open band not last", lambda d: d["bands"][0].update(below_px=None)),
    ("last band closed", lambda d: d["bands"][2].update(below_px=200)),
    ("bands out of order", lambda d: d["bands"][1].update(below_px=20)),
    ("band without constants", lambda d: d["bands"][1].pop("minor")),
]


@pytest.mark.parametrize(("case", "spoil"), BAD_BANDS, ids=[c[0] for c in BAD_BANDS])
def test_when_size_bands_malformed_then_config_error(case: str, spoil: Any) -> None:
    data = banded()
    assert len(AgeCalibration.from_dict(data).bands) == 3
    spoil(data)
    with pytest.raises(ConfigError):
        AgeCalibration.from_dict(data)


def test_when_shipped_calibration_loaded_then_each_size_band_rises_with_the_raw_mass() -> None:
    cal = AgeCalibration.load()
    assert [b.below_px for b in cal.bands] == [48.0, 96.0, None]
    grid = [i / 100 for i in range(1, 100)]
    for size in (20.0, 60.0, 200.0):
        read = [cal.calibrate(AgeEstimate(30.0, p, p / 2), size) for p in grid]
        assert all(a.p_minor < b.p_minor for a, b in itertools.pairwise(read))
        assert all(a.p_child <= a.p_minor for a in read)


def test_when_previous_calibration_loaded_then_it_is_pooled_for_every_size() -> None:
    cal = AgeCalibration.load("age_calibration-2.json")
    assert cal.version == "2" and cal.bands == ()
    est = AgeEstimate(30.0, 0.3, 0.1)
    assert cal.calibrate(est, 20.0) == cal.calibrate(est, 300.0) == cal.calibrate(est)
