"""Load the shipped lexicon files once, at start-up, into one versioned ``Lexicon``.

The lexicon is data (``lexicon/data/*.yaml`` and ``names.txt``), not code, so a
reviewer can read and extend it; its version and the sha256 of its files go into
every signal it produces. A malformed file fails loudly at load time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from consentgate.errors import ConfigError
from consentgate.lexicon.matcher import Entry, PhraseMatcher
from consentgate.text.confusables import fold_all_to_latin
from consentgate.text.normalise import strip_accents

LABELS = (
    "sexual_explicit", "sexualising_edit", "minor", "real_person", "pretext", "jailbreak",
    "adult_subject",
)  # fmt: skip
CONTEXT_KEYS = (
    "revealing", "exclude", "non_person", "recolour", "person", "swap_from", "place", "removal",
)  # fmt: skip
# Single words looked up by token, not matched as phrases: they are frequent ("to",
# "for"), and a set lookup per token costs less than a hit per occurrence.
WORD_SETS = ("fillers", "place_from", "place_links", "swap", "swap_to", "garment_part", "swap_skip")

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Combo:
    """Two phrase sets that mean ``label`` when close together ("remove" … "her shirt")."""

    label: str
    key_first: str
    key_then: str
    window: int
    any_order: bool


@dataclass(frozen=True)
class Lexicon:
    version: str
    sha256: str
    languages: tuple[str, ...]
    matcher: PhraseMatcher
    combos: tuple[Combo, ...]
    # One matcher entry per distinct combo phrase ("bikini" is in many combos):
    # its key, "combos:<n>", stands for all the combo keys listed here.
    combo_groups: Mapping[str, tuple[str, ...]]
    fillers: frozenset[str]
    # "clothes from the line": the word after the garment (place_from) and the words
    # allowed before the place (place_links).
    place_from: frozenset[str] = frozenset()
    place_links: frozenset[str] = frozenset()
    # "swap her bikini for …": swap verbs, the words that link to the new garment.
    swap: frozenset[str] = frozenset()
    swap_to: frozenset[str] = frozenset()
    # Owner words that may stand between the garment and swap_to ("bikini của cô ấy bằng").
    swap_skip: frozenset[str] = frozenset()
    # "the shirt logo": words that make a garment the place of something else.
    garment_part: frozenset[str] = frozenset()
    # "把她的比基尼换成长裙", "水着をコートに変えて": what follows a garment, in scripts
    # without spaces, when it is swapped away: (right after it, somewhere after that).
    swap_next: tuple[tuple[str, str], ...] = ()


def _spellings(term: str) -> set[str]:
    """The term as written plus its accent-free Latin spelling ("desnúdala" → "desnudala")."""
    term = term.casefold()
    out = {term}
    if "-" in term:  # the joined reading reads "see-through" as "seethrough"
        out.add(term.replace("-", ""))
    stripped = strip_accents(term)
    if stripped.isascii() or not any("\u0370" <= c <= "\u052f" for c in stripped):
        out.add(fold_all_to_latin(stripped))
    if " " in term and not term.isascii() and any(c >= "\u3040" for c in term):
        out.add(term.replace(" ", ""))  # Korean/Japanese written without spaces
    return out


# Keys whose phrases are also matched written as one word: spread-out letters with
# even spaces ("l a t e x o u t f i t") join into "latexoutfit".
_JOINED_KEYS = ("label:sexual_explicit", "label:sexualising_edit", "revealing")


def _entries(key: str, terms: Any, language: str, where: str) -> list[Entry]:
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        # YAML reads bare no/off/on as booleans and digits as numbers: quote them.
        raise ConfigError(f"lexicon {where}: {key} must be a list of quoted phrases")
    spellings = [s for term in terms for s in _spellings(str(term))]
    if key in _JOINED_KEYS:
        spellings += [
            s.replace(" ", "") for s in spellings if " " in s and s.isascii() and len(s) >= 10
        ]
    return [PhraseMatcher.entry(key, s, language) for s in dict.fromkeys(spellings)]


def _words(data: dict[str, Any], key: str) -> set[str]:
    """The words as written and without accents: one reading of "échange" is "echange"."""
    words = {str(f).casefold() for f in data.get(key) or []}
    return words | {strip_accents(w) for w in words}


def _swap_next(data: dict[str, Any], where: str) -> list[tuple[str, str]]:
    """ "を…に変え" → ("を", "に変え"): the first part must follow the garment at once."""
    pairs = []
    for raw in data.get("swap_next") or []:
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"lexicon {where}: swap_next must be a list of quoted phrases")
        head, _, tail = raw.casefold().partition("…")
        pairs.append((head, tail))
    return pairs


def _load_language(
    name: str,
    raw: bytes,
    entries: list[Entry],
    combos: list[Combo],
    sets: dict[str, set[str]],
    swap_next: list[tuple[str, str]],
) -> None:
    data = yaml.load(raw, Loader=_Loader)
    where = f"{name}.yaml"
    if not isinstance(data, dict) or data.get("language") != name:
        raise ConfigError(f"lexicon {where}: expected a mapping with language: {name}")
    for label, terms in (data.get("terms") or {}).items():
        if label not in LABELS:
            raise ConfigError(f"lexicon {where}: unknown label {label!r}")
        entries += _entries(f"label:{label}", terms, name, where)
    for key in CONTEXT_KEYS:
        entries += _entries(key, data.get(key) or [], name, where)
    for combo in data.get("combos") or []:
        key = f"combo:{name}:{len(combos)}"
        entries += _entries(f"{key}:first", combo["first"], name, where)
        entries += _entries(f"{key}:then", combo["then"], name, where)
        combos.append(
            Combo(
                combo["label"],
                f"{key}:first",
                f"{key}:then",
                int(combo.get("window", 4)),
                bool(combo.get("any_order", False)),
            )
        )
    for key, words in sets.items():
        words |= _words(data, key)
    swap_next += _swap_next(data, where)


def _group_combo_entries(
    entries: list[Entry],
) -> tuple[list[Entry], list[Entry], dict[str, tuple[str, ...]]]:
    """Collapse combo entries with the same phrase into one, so each phrase is one hit."""
    plain = [e for e in entries if not e.key.startswith("combo:")]
    by_phrase: dict[tuple[str, tuple[str, ...], tuple[bool, ...]], list[Entry]] = {}
    for e in entries:
        if e.key.startswith("combo:"):
            by_phrase.setdefault((e.term, e.words, e.prefix), []).append(e)
    grouped: list[Entry] = []
    groups: dict[str, tuple[str, ...]] = {}
    for n, members in enumerate(by_phrase.values()):
        key = f"combos:{n}"
        groups[key] = tuple(dict.fromkeys(m.key for m in members))
        first = members[0]
        grouped.append(Entry(key, first.term, first.language, first.words, first.prefix))
    return plain, grouped, groups


def load_lexicon() -> Lexicon:
    """Read and compile the shipped lexicon (tens of milliseconds)."""
    root = files("consentgate.lexicon") / "data"
    manifest_raw = (root / "manifest.yaml").read_bytes()
    manifest = yaml.load(manifest_raw, Loader=_Loader)
    digest = hashlib.sha256(manifest_raw)
    entries: list[Entry] = []
    combos: list[Combo] = []
    sets: dict[str, set[str]] = {key: set() for key in WORD_SETS}
    swap_next: list[tuple[str, str]] = []
    for language in manifest["languages"]:
        raw = (root / f"{language}.yaml").read_bytes()
        digest.update(raw)
        _load_language(language, raw, entries, combos, sets, swap_next)
    names_raw = (root / manifest["names"]).read_bytes()
    digest.update(names_raw)
    names = [
        line.strip()
        for line in names_raw.decode("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    entries += _entries("label:real_person", names, "names", manifest["names"])
    plain, grouped, groups = _group_combo_entries(entries)
    return Lexicon(
        version=str(manifest["version"]),
        sha256=digest.hexdigest(),
        languages=tuple(manifest["languages"]),
        matcher=PhraseMatcher(plain + grouped),
        combo_groups=groups,
        combos=tuple(combos),
        fillers=frozenset(sets["fillers"]),
        place_from=frozenset(sets["place_from"]),
        place_links=frozenset(sets["place_links"]),
        swap=frozenset(sets["swap"]),
        swap_to=frozenset(sets["swap_to"]),
        swap_skip=frozenset(sets["swap_skip"]),
        garment_part=frozenset(sets["garment_part"]),
        swap_next=tuple(dict.fromkeys(swap_next)),
    )
