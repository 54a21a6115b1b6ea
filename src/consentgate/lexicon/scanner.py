"""Turn lexicon hits in every reading of a prompt into labelled findings.

The rules that need context live here, in one place:

* exclusions: "chicken breast", "naked eye", "nude lipstick" cancel what they overlap;
* combinations: "remove" + "her shirt" within a few filler words means undressing,
  "bigger" + "breasts" (either order) means body enlargement, "my" + "coworker"
  means a real person, "ignore" + "instructions" means a jailbreak;
* revealing garments (bikini, lingerie, underwear) mean a sexualising request
  unless the prompt is plainly about a garment and no person: "make the swimsuit
  on the mannequin blue" is a product edit, "put her in a bikini" is not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from consentgate.lexicon.ages import minor_ages
from consentgate.lexicon.loader import Combo, Lexicon
from consentgate.lexicon.matcher import Hit, Tokens, tokenize
from consentgate.text.normalised import NormalisedText

# Findings that put a person (or body) in the picture: a garment is then worn by someone.
PERSONAL = ("sexual_explicit", "sexualising_edit", "minor", "real_person")


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for one label: the matched text (after normalisation) and the entry."""

    label: str
    span: str
    term: str
    language: str


@dataclass
class _Scan:
    findings: list[Finding]
    revealing: list[Hit]
    context: set[str]
    # (key, term) that some reading shows only inside an exclusion ("naked eye"):
    # other readings may have lost the exclusion to a disguise ("naked eуе").
    excluded: set[tuple[str, str]]


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(hit.start < o.end and o.start < hit.end for o in others)


class LexiconScanner:
    """Scans normalised prompts with one compiled lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._combos_by_first: dict[str, list[Combo]] = defaultdict(list)
        for combo in lexicon.combos:
            self._combos_by_first[combo.key_first].append(combo)

    def scan(self, text: NormalisedText) -> dict[str, list[Finding]]:
        state = _Scan([], [], set(), set())
        for reading in text.readings:
            self._scan_reading(reading, state)
        for reading in dict.fromkeys((text.text, *text.variants[:1])):
            for age in minor_ages(reading):
                state.findings.append(Finding("minor", age.span.strip(), f"age {age.age}", "*"))
        state.findings = [
            f for f in state.findings if (f"label:{f.label}", f.term) not in state.excluded
        ]
        revealing = [
            h for h in state.revealing if ("revealing", h.entry.term) not in state.excluded
        ]
        if revealing and not self._garment_only(state):
            state.findings += [
                Finding("sexualising_edit", h.span, h.entry.term, h.entry.language)
                for h in revealing
            ]
        grouped: dict[str, dict[tuple[str, str], Finding]] = defaultdict(dict)
        for f in state.findings:
            grouped[f.label].setdefault((f.span, f.term), f)
        return {label: list(found.values()) for label, found in grouped.items()}

    @staticmethod
    def _garment_only(state: _Scan) -> bool:
        """A revealing garment with no person in sight: a product, a mannequin, a recolour."""
        if "person" in state.context or any(f.label in PERSONAL for f in state.findings):
            return False
        return bool(state.context & {"non_person", "recolour"})

    def _scan_reading(self, reading: str, state: _Scan) -> None:
        tokens = tokenize(reading)
        hits = self.lexicon.matcher.find(reading, tokens)
        if not hits:
            return
        excluded = [h for h in hits if h.entry.key == "exclude"]
        by_key: dict[str, list[Hit]] = defaultdict(list)
        dropped: set[tuple[str, str]] = set()
        for hit in hits:
            if hit.entry.key == "exclude":
                continue
            if _overlaps(hit, excluded):
                dropped.add((hit.entry.key, hit.entry.term))
            else:
                by_key[hit.entry.key].append(hit)
        kept = {(h.entry.key, h.entry.term) for found in by_key.values() for h in found}
        state.excluded |= dropped - kept
        for key, found in by_key.items():
            if key.startswith("label:"):
                state.findings += [
                    Finding(key[6:], h.span, h.entry.term, h.entry.language) for h in found
                ]
            elif key == "revealing":
                state.revealing += found
            elif not key.startswith("combo:"):
                state.context.add(key)
        for key in [k for k in by_key if k in self._combos_by_first]:
            for combo in self._combos_by_first[key]:
                state.findings += self._combine(combo, by_key, reading, tokens)

    def _combine(
        self, combo: Combo, by_key: dict[str, list[Hit]], reading: str, tokens: Tokens
    ) -> list[Finding]:
        firsts, thens = by_key.get(combo.key_first), by_key.get(combo.key_then)
        if not firsts or not thens:
            return []
        found: list[Finding] = []
        for a in firsts:
            for b in thens:
                if self._close(a, b, tokens, combo.window) or (
                    combo.any_order and self._close(b, a, tokens, combo.window)
                ):
                    start, end = min(a.start, b.start), max(a.end, b.end)
                    term = f"{a.entry.term} … {b.entry.term}"
                    found.append(Finding(combo.label, reading[start:end], term, a.entry.language))
        return found

    def _close(self, a: Hit, b: Hit, tokens: Tokens, window: int) -> bool:
        if a.last_word < 0 or b.first_word <= a.last_word:
            return False
        gap = tokens.words[a.last_word + 1 : b.first_word]
        return len(gap) <= window and all(w in self.lexicon.fillers for w in gap)
