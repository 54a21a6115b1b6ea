"""The PDQ index is exact: same results as brute force, for every plan and radius."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from consentgate.banks.index.codes import codes_to_hex, flip_bits, hex_to_codes, random_codes
from consentgate.banks.index.flat import FlatIndex
from consentgate.banks.index.live import LiveSet
from consentgate.banks.index.md5 import Md5Index, md5_to_codes
from consentgate.banks.index.mih import MultiIndexHash
from consentgate.banks.index.plan import make_plan, plan_for
from consentgate.banks.indexes import build_pdq, load_pdq


def _planted(n: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    codes = random_codes(n, seed=seed)
    queries = [flip_bits(codes[rng.integers(n)], int(k), rng) for k in rng.integers(0, 40, 60)]
    # A cluster: many codes within a few bits of each other, as real banks have.
    codes[: n // 10] = np.stack(
        [flip_bits(codes[0], int(k), rng) for k in rng.integers(0, 32, n // 10)]
    )
    queries += [flip_bits(codes[0], k, rng) for k in (0, 16, 31)]
    queries += list(random_codes(10, seed=seed + 1))
    return codes, queries


@pytest.mark.parametrize("m", [12, 14, 16, 24])
@pytest.mark.parametrize("radius", [0, 10, 31])
def test_when_plan_and_radius_vary_then_results_equal_brute_force(m: int, radius: int) -> None:
    codes, queries = _planted(3000, seed=m)
    mih = MultiIndexHash.build(codes, make_plan(m))
    flat = FlatIndex(codes)
    for query in queries:
        rows, dists = mih.search(query, radius)
        want_rows, want_dists = flat.search(query, radius)
        assert rows.tolist() == want_rows.tolist()
        assert dists.tolist() == want_dists.tolist()


@pytest.mark.parametrize("m", [9, 11, 12, 13, 16, 20, 24])
def test_when_plan_is_made_then_the_pigeonhole_covers_radius_31(m: int) -> None:
    plan = make_plan(m)
    assert sum(s.width for s in plan.substrings) == 256
    assert sum(s.radius + 1 for s in plan.substrings) >= 32


def test_when_query_radius_exceeds_the_plan_then_it_is_refused() -> None:
    index = MultiIndexHash.build(random_codes(100), make_plan(12, radius=20))
    with pytest.raises(ValueError):
        index.search(random_codes(1)[0], 21)


@pytest.mark.parametrize(("n", "m"), [(1_000, 16), (1_000_000, 12), (10_000_000, 12)])
def test_when_bank_size_grows_then_substrings_widen(n: int, m: int) -> None:
    assert len(plan_for(n).substrings) == m


def test_when_hex_round_trips_then_it_is_unchanged() -> None:
    hexes = codes_to_hex(random_codes(5))
    assert codes_to_hex(hex_to_codes(hexes)) == hexes


def test_when_index_is_saved_then_loading_gives_the_same_answers(tmp_path: Path) -> None:
    codes, queries = _planted(5000, seed=3)
    index = build_pdq(codes)
    index.save(tmp_path / "i")
    loaded = load_pdq(tmp_path / "i")
    for query in queries:
        assert index.search(query, 31)[0].tolist() == loaded.search(query, 31)[0].tolist()


def test_when_md5_is_searched_then_only_exact_equals_match() -> None:
    hexes = ["00" * 16, "ff" * 16, "0123456789abcdef" * 2, "0123456789abcdef" + "00" * 8]
    index = Md5Index(md5_to_codes(hexes))
    for row, value in enumerate(hexes):
        assert index.search(md5_to_codes([value])[0])[0].tolist() == [row]
    assert index.search(md5_to_codes(["11" * 16])[0])[0].tolist() == []


def test_when_live_set_changes_then_search_follows_without_rebuild() -> None:
    codes = random_codes(6000, seed=9)
    ids = np.arange(10, 6010, dtype=np.int64)
    live = LiveSet(build_pdq, 4)
    live.upsert(ids[:5000], np.ones(5000, np.int32), codes[:5000])
    live = live.compacted()
    main = live.main
    live.upsert(ids[5000:], np.full(1000, 2, np.int32), codes[5000:])
    assert live.main is main  # adds went to the recent part
    assert live.search(codes[5500], 0).entry_ids.tolist() == [5510]
    live.remove(np.array([5510, 20]))
    assert live.search(codes[5500], 0).entry_ids.tolist() == []
    assert live.search(codes[10], 0).entry_ids.tolist() == []
    live.upsert(np.array([20]), np.array([1], np.int32), codes[10:11])
    assert live.search(codes[10], 0).entry_ids.tolist() == [20]
    compacted = live.compacted()
    assert len(compacted) == len(live) == 5999
    assert compacted.search(codes[5500], 0).entry_ids.tolist() == []
    assert compacted.search(codes[5600], 0).bank_ids.tolist() == [2]
