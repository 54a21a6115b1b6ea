"""Wilson intervals and percentiles against values worked out by hand."""

from __future__ import annotations

import pytest

from consentgate.assess.stats import percentile, wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # a zero rate still has an upper bound
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (81, 100, 0.7222, 0.8749),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_when_a_share_is_given_then_the_wilson_interval_matches_the_textbook(
    successes: int, n: int, low: float, high: float
) -> None:
    interval = wilson(successes, n)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=1e-4)
    assert interval[1] == pytest.approx(high, abs=1e-4)


def test_when_nothing_was_measured_then_there_is_no_interval() -> None:
    assert wilson(0, 0) is None


def test_when_successes_exceed_n_then_value_error() -> None:
    with pytest.raises(ValueError):
        wilson(3, 2)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1, 2, 3, 4], 50, 2.5), ([5], 95, 5), ([1, 2, 3, 4, 5], 95, 4.8), ([3, 1, 2], 0, 1)],
)
def test_when_percentiles_are_taken_then_they_interpolate(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_when_there_are_no_values_then_no_percentile() -> None:
    assert percentile([], 50) is None
