"""Calibrated P(under 13) and P(under 18) per face, and the age thresholds, as data.

Why calibrate: the age network's probability mass under 13 and under 18 ranks
children above adults well, but its numbers are not frequencies (it is sure of
many adult faces and unsure of most children's). A Platt scaling per quantity,
``sigmoid(a * logit(p) + b)``, fitted on labelled faces of the people
development set, turns the raw mass into a probability one can reason with.

Why per face-size band (version 3 on): a face under 48 px gives the network a
blurred chip, and its raw mass under 18 means something else there than on a
sharp 150 px face. Each band (``SizeBand``: faces below ``below_px`` working-copy
pixels on their longer side, the last band open) has its own two scalings, fitted
jointly with the pooled one and shrunk towards it, so a band with few children
stays close to the pooled fit. A file without bands (version 2) applies its
pooled constants to every face. Every scaling must rise with the raw mass
(``a > 0``): a larger raw P(under 18) never gives a smaller calibrated one.

Why a versioned file: the constants and the thresholds chosen with them are
one artefact (``models/age_calibration-<version>.json``, written by
``scripts/calibrate_age.py``, which records what it was fitted on and the
development figures at the chosen thresholds). A detector's signal names the
calibration version, so a decision can be traced to the numbers it used.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.errors import ConfigError

CALIBRATION_VERSION = "4"
CALIBRATION_FILE = f"age_calibration-{CALIBRATION_VERSION}.json"
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Platt:
    """``sigmoid(a * logit(p) + b)``; ``Platt(1, 0)`` is the identity."""

    a: float
    b: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a) and math.isfinite(self.b) and self.a > 0):
            raise ConfigError(f"age calibration: scaling a={self.a} b={self.b} is not rising")

    def __call__(self, p: float) -> float:
        p = min(max(p, _EPS), 1 - _EPS)
        z = self.a * math.log(p / (1 - p)) + self.b
        return 1 / (1 + math.exp(-max(min(z, 60.0), -60.0)))


@dataclass(frozen=True, slots=True)
class SizeBand:
    """The scalings for faces smaller than ``below_px`` (None: no upper bound)."""

    below_px: float | None
    child: Platt
    minor: Platt

    def holds(self, size: float) -> bool:
        return self.below_px is None or size < self.below_px


@dataclass(frozen=True, slots=True)
class CalibratedAge:
    """One face's calibrated reading."""

    p_child: float  # P(under 13)
    p_minor: float  # P(under 18)
    years: float  # the network's expected age (a note only; decides nothing)


@dataclass(frozen=True, slots=True)
class AgeCalibration:
    """The fitted constants and the two thresholds on calibrated P(under 18)."""

    version: str
    child: Platt
    minor: Platt
    minor_threshold: float  # at or above: a confident minor (the signal fires)
    review_threshold: float  # from here up to minor_threshold: an uncertain age
    fitted_on: str
    bands: tuple[SizeBand, ...] = ()  # by rising ``below_px``; none: pooled for all

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_threshold <= self.minor_threshold <= 1.0:
            raise ConfigError("age calibration: need 0 <= review <= minor threshold <= 1")
        bounds = [b.below_px for b in self.bands]
        if bounds and (bounds[-1] is not None or any(x is None for x in bounds[:-1])):
            raise ConfigError("age calibration: only the last size band may be open")
        closed = [x for x in bounds if x is not None]
        if closed != sorted(set(closed)):
            raise ConfigError("age calibration: size bands must rise")

    def band(self, size: float | None) -> tuple[Platt, Platt]:
        """The (child, minor) scalings for a face of ``size`` px (None: pooled)."""
        if size is not None:
            for band in self.bands:
                if band.holds(size):
                    return band.child, band.minor
        return self.child, self.minor

    def calibrate(self, estimate: AgeEstimate, size: float | None = None) -> CalibratedAge:
        child, minor = self.band(size)
        p_minor = minor(estimate.p_minor)
        # A child is a minor: keep P(under 13) <= P(under 18) after separate fits.
        p_child = min(child(estimate.p_child), p_minor)
        return CalibratedAge(p_child, p_minor, estimate.years)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgeCalibration:
        try:
            return cls(
                version=str(data["version"]),
                child=Platt(float(data["child"]["a"]), float(data["child"]["b"])),
                minor=Platt(float(data["minor"]["a"]), float(data["minor"]["b"])),
                minor_threshold=float(data["thresholds"]["minor"]),
                review_threshold=float(data["thresholds"]["review"]),
                fitted_on=str(data.get("fitted_on", "")),
                bands=tuple(
                    SizeBand(
                        None if b["below_px"] is None else float(b["below_px"]),
                        Platt(float(b["child"]["a"]), float(b["child"]["b"])),
                        Platt(float(b["minor"]["a"]), float(b["minor"]["b"])),
                    )
                    for b in data.get("bands", ())
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"age calibration is malformed: {exc}") from exc

    @classmethod
    def load(cls, name: str = CALIBRATION_FILE) -> AgeCalibration:
        raw = (files("consentgate.detectors") / "models" / name).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(raw))
