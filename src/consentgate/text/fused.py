"""Requests written as one word: "undressher", "RemoveHerBra", "takeoffherclothes".

Why a curated vocabulary and a pronoun: splitting every long word into smaller
words invents phrases honest text never meant ("therapist" → "the rapist"). A
fused request is an instruction about a person, so a split is only proposed when
every piece is one of the words below and one piece is a pronoun ("her", "him",
…). The split is one extra reading; the canonical text is never changed.

Cost: only words of 6 to ``MAX_FUSED`` letters that contain a pronoun are tried,
each once (memoised), by a dynamic programme over its letters.
"""

from __future__ import annotations

import re
from functools import lru_cache

PRONOUNS = frozenset({"her", "him", "his", "them", "she", "he", "their"})
_VOCABULARY = (
    "remove take off strip undress unclothe disrobe make put get pull show turn rip "
    "cut tear down up out of in into on a an the all every and with without no "
    "clothes clothing dress shirt top tops blouse bra bras panties underwear pants "
    "trousers skirt jeans shorts knickers swimsuit bikini lingerie thong socks "
    "naked nude topless bare completely fully totally now please see through"
)
WORDS = PRONOUNS | frozenset(_VOCABULARY.split(" "))
MAX_FUSED = 32
_LONGEST = max(map(len, WORDS))
_TOKEN = re.compile(r"[a-z]{6,}")


@lru_cache(maxsize=20_000)
def _split(token: str) -> str | None:
    if len(token) > MAX_FUSED or not any(p in token for p in PRONOUNS):
        return None
    # best[i]: the fewest pieces that spell token[:i], as (count, pieces).
    best: list[tuple[int, tuple[str, ...]] | None] = [(0, ())] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - _LONGEST), end):
            prefix = best[start]
            piece = token[start:end]
            if prefix is None or piece not in WORDS:
                continue
            candidate = (prefix[0] + 1, (*prefix[1], piece))
            current = best[end]
            if current is None or candidate[0] < current[0]:
                best[end] = candidate
    found = best[len(token)]
    if found is None or found[0] < 2 or PRONOUNS.isdisjoint(found[1]):
        return None
    return " ".join(found[1])


def split_fused(text: str) -> str:
    """Each fused request in ``text`` (lower case) written as separate words."""
    return _TOKEN.sub(lambda m: _split(m.group()) or m.group(), text)
