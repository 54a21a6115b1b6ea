"""The conversation cues: what one turn does to a person's clothes, in many languages.

Why a word list of its own beside the prompt lexicon: the lexicon names what a
request asks for ("remove her shirt", "in a bikini"); a conversation splits that
over turns whose words are harmless alone ("take the jacket off", "now the top
underneath", "keep going"). Reading the sequence needs other words: garments by
the layer they cover (a jacket comes off before a shirt, a shirt before a bra),
what takes them off, what points to the layer underneath, what continues the last
step, and what starts another kind of edit. They are data (``data/<lang>.yaml``),
versioned by ``data/manifest.yaml`` and checksummed like the lexicon, so every
signal names the exact cues it was read with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from consentgate.errors import ConfigError
from consentgate.lexicon.matcher import Entry, PhraseMatcher
from consentgate.text.confusables import fold_all_to_latin
from consentgate.text.normalise import strip_accents

#: Garments by the layer they cover; ``all`` is every layer at once ("her clothes").
LAYERS = {"accessory": 0, "outer": 1, "main": 2, "under": 3, "all": 3}
#: The other kinds of cue (see ``docs/prompt.md``, "Conversations").
KINDS = (
    "remove",  # takes something off: "remove", "take off", "without"
    "off",  # after a garment: "the jacket off", "die Jacke aus"
    "it",  # stands for the garment just named: "take it off"
    "underneath",  # the next layer down: "the top underneath", "what's under it"
    "rest",  # every layer left: "the rest", "all the way"
    "more",  # continues the last step: "keep going", "more", "again"
    "shrink",  # less of a garment: "shorter", "smaller", "more see-through"
    "dress",  # puts clothes on: "put on", "give her", "add"
    "action",  # another kind of edit: "change", "brighten", "background"
    "polite",  # words that carry no request: "please", "now", "nice"
    "place",  # where a garment lies, not worn: "on the chair", "on the door"
)


@dataclass(frozen=True)
class CueBook:
    """The compiled cues of every language: one matcher, its version and checksum."""

    version: str
    sha256: str
    languages: tuple[str, ...]
    matcher: PhraseMatcher
    polite: frozenset[str]


def spellings(term: str) -> set[str]:
    """The term as written, without its hyphens, and in its accent-free Latin spelling."""
    term = term.casefold()
    out = {term}
    if "-" in term:
        out.add(term.replace("-", " "))
        out.add(term.replace("-", ""))
    stripped = strip_accents(term)
    if stripped.isascii() or not any("\u0370" <= c <= "\u052f" for c in stripped):
        out.add(fold_all_to_latin(stripped))
    return out


def _terms(data: dict[str, Any], key: str, where: str) -> list[str]:
    terms = data.get(key) or []
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        # YAML reads bare no/off/on as booleans and digits as numbers: quote them.
        raise ConfigError(f"conversation cues {where}: {key} must be a list of quoted phrases")
    return [str(t) for t in terms]


def _language(name: str, raw: bytes) -> tuple[list[Entry], set[str]]:
    data = yaml.safe_load(raw)
    where = f"{name}.yaml"
    if not isinstance(data, dict) or data.get("language") != name:
        raise ConfigError(f"conversation cues {where}: expected a mapping with language: {name}")
    unknown = set(data) - {"language", *LAYERS, *KINDS}
    if unknown:
        raise ConfigError(f"conversation cues {where}: unknown key(s) {sorted(unknown)}")
    entries: list[Entry] = []
    polite: set[str] = set()
    for key in (*LAYERS, *KINDS):
        for term in _terms(data, key, where):
            for spelling in spellings(term):
                entries.append(PhraseMatcher.entry(key, spelling, name))
                if key == "polite":
                    polite.add(spelling)
    return entries, polite


def load_cues() -> CueBook:
    """Read and compile the shipped cues (a few milliseconds); a bad file fails loudly."""
    root = files("consentgate.conversation") / "data"
    manifest_raw = (root / "manifest.yaml").read_bytes()
    manifest = yaml.safe_load(manifest_raw)
    digest = hashlib.sha256(manifest_raw)
    entries: list[Entry] = []
    polite: set[str] = set()
    for language in manifest["languages"]:
        raw = (root / f"{language}.yaml").read_bytes()
        digest.update(raw)
        found, words = _language(language, raw)
        entries += found
        polite |= words
    return CueBook(
        version=str(manifest["version"]),
        sha256=digest.hexdigest(),
        languages=tuple(manifest["languages"]),
        matcher=PhraseMatcher(entries),
        polite=frozenset(polite),
    )
