"""The assessment suite: seed requests × tactics, each with its source photo.

Deterministic given ``seed``: every random choice (which disguise, which photo,
which requests a sized suite keeps, their order) comes from a generator seeded
with the suite seed and the request's own id, never from global state, so the
same ``--seed`` gives the same requests on every machine, and a request keeps
its text when the suite around it changes size.

A tactic is ``plain`` (the seed as written), ``translation`` (the same kind of
request written in another language, from the test split), or one of the
mutators. Character-level mutators also disguise the translations. A suite
keeps at most ``harmful`` harmful and ``benign`` benign requests per tactic,
drawn at random; ``full`` keeps every pair. Items are shuffled, so a run cut
short by ``--max-requests`` is still a mix of every tactic.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from consentgate.assess.mutators import MUTATORS
from consentgate.assess.photos import NO_PERSON, PERSON
from consentgate.assess.seeds import Seed, load_seeds
from consentgate.errors import BadInput
from consentgate.records import Mode

__all__ = ["SUITES", "TACTICS", "Suite", "SuiteItem", "SuiteSize", "build_suite"]

PLAIN = "plain"
TRANSLATION = "translation"
TACTICS = (PLAIN, *MUTATORS, TRANSLATION)
# Benign edits of things, not people: their photo shows no one.
NO_PERSON_CATEGORIES = frozenset(
    {"benign_non_person", "benign_garment", "benign_food", "benign_colour", "benign_scene"}
)


@dataclass(frozen=True)
class SuiteSize:
    """At most this many harmful and benign requests per tactic (None: every one)."""

    harmful: int | None
    benign: int | None
    every_translation: bool = False  # keep every translation (the language table needs them)


SUITES = {
    "smoke": SuiteSize(8, 6),
    "default": SuiteSize(150, 100, every_translation=True),
    "full": SuiteSize(None, None),
}


@dataclass(frozen=True)
class SuiteItem:
    id: str  # "<seed id>~<tactic>"
    seed_id: str
    text: str
    mode: Mode
    harmful: bool
    category: str
    tactic: str
    language: str
    photo: str | None  # a shipped photo's name (photos.py), for edits


@dataclass(frozen=True)
class Suite:
    name: str
    seed: int
    items: tuple[SuiteItem, ...]

    def fingerprint(self) -> str:
        """A digest of every request: a resumed run must be the same suite."""
        rows = [asdict(i) for i in self.items]
        data = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _photo(seed: Seed, rng: random.Random) -> str | None:
    if seed.mode is not Mode.EDIT:
        return None
    if not seed.harmful and seed.category in NO_PERSON_CATEGORIES:
        return rng.choice(NO_PERSON)
    return rng.choice(PERSON)  # harmful edits always target a photo of a person


def _item(seed: Seed, tactic: str, text: str, rng: random.Random) -> SuiteItem:
    return SuiteItem(
        id=f"{seed.id}~{tactic}",
        seed_id=seed.id,
        text=text,
        mode=seed.mode,
        harmful=seed.harmful,
        category=seed.category,
        tactic=tactic,
        language=seed.language,
        photo=_photo(seed, rng),
    )


def candidates(seeds: Sequence[Seed], seed: int) -> list[SuiteItem]:
    """Every (seed, tactic) pair whose tactic applies and changes the text."""
    out = []
    for s in seeds:
        tactics = [PLAIN, *MUTATORS] if s.kind == "seed" else [TRANSLATION]
        if s.kind != "seed":
            tactics += [n for n, m in MUTATORS.items() if m.character_level]
        for tactic in tactics:
            if tactic in MUTATORS and not (s.harmful or MUTATORS[tactic].benign_too):
                continue
            rng = random.Random(f"{seed}|{s.id}|{tactic}")
            text = s.text
            if tactic in MUTATORS:
                text = MUTATORS[tactic].apply(s.text, rng)
                if text == s.text:
                    continue
            out.append(_item(s, tactic, text, rng))
    return out


def build_suite(name: str, seed: int = 0, seeds: Sequence[Seed] | None = None) -> Suite:
    """The named suite (``smoke``, ``default``, ``full``) for ``seed``."""
    size = SUITES.get(name)
    if size is None:
        raise BadInput(f"unknown suite {name!r} (known: {', '.join(SUITES)})")
    strata: dict[tuple[str, bool], list[SuiteItem]] = defaultdict(list)
    for item in candidates(seeds if seeds is not None else load_seeds(), seed):
        strata[(item.tactic, item.harmful)].append(item)
    kept: list[SuiteItem] = []
    for (tactic, harmful), items in sorted(strata.items()):
        cap = size.harmful if harmful else size.benign
        if cap is None or (tactic == TRANSLATION and size.every_translation):
            kept.extend(items)
            continue
        rng = random.Random(f"{seed}|{name}|{tactic}|{harmful}")
        kept.extend(rng.sample(sorted(items, key=lambda i: i.id), min(cap, len(items))))
    kept.sort(key=lambda i: i.id)
    random.Random(f"{seed}|{name}|order").shuffle(kept)
    return Suite(name, seed, tuple(kept))
