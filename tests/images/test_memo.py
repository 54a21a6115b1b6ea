"""Per-image findings: computed once per image, shared by detectors and by later screens."""

from __future__ import annotations

import threading
import time

import pytest

from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits
from consentgate.images.memo import Memo, RecentMemos
from tests.images.samples import photo


class Counter:
    """A computation that counts its calls and takes a moment, like a model run."""

    def __init__(self, value: object = "found", fail_first: bool = False) -> None:
        self.calls = 0
        self.value = value
        self.fail_first = fail_first
        self._lock = threading.Lock()

    def __call__(self) -> object:
        with self._lock:
            self.calls += 1
            calls = self.calls
        time.sleep(0.01)
        if self.fail_first and calls == 1:
            raise RuntimeError("model failed")
        return self.value


def test_when_two_detectors_ask_at_once_then_computed_once_and_both_get_it() -> None:
    memo, compute = Memo(), Counter()
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("faces", compute)))]
    threads.append(threading.Thread(target=lambda: results.append(memo.get("faces", compute))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert results == ["found", "found"]


def test_when_computation_raises_then_key_stays_unset_and_next_caller_retries() -> None:
    memo, compute = Memo(), Counter(fail_first=True)
    with pytest.raises(RuntimeError):
        memo.get("faces", compute)
    assert "faces" not in memo
    assert memo.get("faces", compute) == "found"
    assert compute.calls == 2


def test_when_keys_differ_then_each_is_computed() -> None:
    memo = Memo()
    assert (memo.get("faces", lambda: 1), memo.get("age", lambda: 2)) == (1, 2)


SHARING = [
    ("same bytes, same working size", photo("PNG"), photo("PNG"), 512, 512, True),
    ("different bytes", photo("PNG"), photo("BMP"), 512, 512, False),
    ("same bytes, other working size", photo("PNG"), photo("PNG"), 512, 64, False),
]


@pytest.mark.parametrize(
    ("case", "first", "second", "size_1", "size_2", "shared"), SHARING, ids=[c[0] for c in SHARING]
)
def test_when_image_decoded_again_then_memo_shared_only_for_the_same_bytes(
    case: str, first: bytes, second: bytes, size_1: int, size_2: int, shared: bool
) -> None:
    recent = RecentMemos(8)
    a = decode_image(first, ImageLimits(working_size=size_1), recent)
    b = decode_image(second, ImageLimits(working_size=size_2), recent)
    assert (a.memo is b.memo) is shared


def test_when_more_images_than_capacity_then_least_recently_used_forgotten() -> None:
    recent = RecentMemos(2)
    first, second = recent.memo("a"), recent.memo("b")
    assert recent.memo("a") is first  # "a" is now the most recent
    recent.memo("c")
    assert len(recent) == 2
    assert recent.memo("a") is first
    assert recent.memo("b") is not second


def test_when_capacity_is_zero_then_every_image_gets_a_fresh_memo() -> None:
    recent = RecentMemos(0)
    assert recent.memo("a") is not recent.memo("a")
    assert len(recent) == 0
