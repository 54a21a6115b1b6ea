"""Turn lexicon hits in every reading of a prompt into labelled findings.

The rules that need context live here, in one place:

* exclusions: "chicken breast", "naked eye", "nude lipstick" cancel what they overlap;
* combinations: "remove" + "her shirt" within a few filler words means undressing,
  "bigger" + "breasts" (either order) means body enlargement, "my" + "coworker"
  means a real person, "ignore" + "instructions" means a jailbreak;
* revealing garments (bikini, lingerie, underwear) mean a sexualising request
  unless the prompt is plainly about a garment and no person: "make the swimsuit
  on the mannequin blue" is a product edit, "put her in a bikini" is not;
* swaps away from a garment are not requests for it: "swap her bikini for a
  t-shirt", "a dress instead of a bikini";
* a garment lying somewhere, or a part of one, is not being taken off anyone:
  "remove the clothes from the clothesline", "take the dress off the hanger",
  "remove the shirt logo".
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
        groups = self.lexicon.combo_groups
        for hit in hits:
            key = hit.entry.key
            if key == "exclude":
                continue
            if _overlaps(hit, excluded):
                dropped.add((key, hit.entry.term))
            elif key in groups:
                for member in groups[key]:
                    by_key[member].append(hit)
            else:
                by_key[key].append(hit)
        if "revealing" in by_key:
            by_key["revealing"] = [
                h
                for h in by_key["revealing"]
                if not self._swapped_away(h, by_key, reading, tokens)
                and not self._worn_by_removed(h, by_key, tokens)
            ]
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
        thens = [b for b in thens if not self._not_worn(b, by_key, tokens)]
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

    def _swapped_away(
        self, hit: Hit, by_key: dict[str, list[Hit]], reading: str, tokens: Tokens
    ) -> bool:
        """ "swap her bikini for …", "change the swimsuit to …", "… instead of a bikini"."""
        if hit.first_word < 0:
            return False
        rest = reading[hit.end : hit.end + 24].lstrip()
        for head, tail in self.lexicon.swap_next:
            if rest.startswith(head) and tail in rest[len(head) :]:
                return True
        for before in by_key.get("swap_from", ()):
            if 0 <= hit.first_word - before.last_word <= 3:
                return True
        words, lex = tokens.words, self.lexicon
        after = [w for w in words[hit.last_word + 1 : hit.last_word + 6] if w not in lex.swap_skip]
        after = after[:2]
        if not any(w in lex.swap_to for w in after):
            return False
        # The garment must be what is swapped, not what it is swapped into:
        # "change her swimsuit to a sundress", not "change her into a bikini to …".
        for v in range(hit.first_word - 1, max(hit.first_word - 6, -1), -1):
            if words[v] in lex.swap_to:
                return False
            if words[v] in lex.swap:
                return True
        return False

    @staticmethod
    def _worn_by_removed(hit: Hit, by_key: dict[str, list[Hit]], tokens: Tokens) -> bool:
        """ "remove the people in swimsuits from the background": who is removed wears it."""
        words = tokens.words
        i = hit.first_word - 1
        while i >= 0 and words[i] in ("a", "the", "their", "his", "her", "tiny", "small"):
            i -= 1
        if i < 1 or words[i] != "in":
            return False
        wearer = [p for p in by_key.get("person", ()) if p.last_word == i - 1]
        return bool(wearer) and any(
            0 < wearer[0].first_word - r.last_word <= 3 for r in by_key.get("removal", ())
        )

    def _not_worn(self, hit: Hit, by_key: dict[str, list[Hit]], tokens: Tokens) -> bool:
        """A garment part ("the shirt logo") or a garment lying somewhere ("… from the line")."""
        following = tokens.words[hit.last_word + 1 : hit.last_word + 2]
        if following and following[0] in self.lexicon.garment_part:
            return True
        for place in by_key.get("place", ()):
            if hit.last_word < 0 or place.first_word <= hit.last_word:
                continue
            gap = tokens.words[hit.last_word + 1 : place.first_word]
            links = self.lexicon.place_links
            if tokens.words[hit.last_word] in self.lexicon.place_from:  # "dress off" the hanger
                if len(gap) <= 2 and all(w in links for w in gap):
                    return True
            # "from the rack", "from the bathroom rack": one describing word may come first.
            elif (
                0 < len(gap) <= 3
                and gap[0] in self.lexicon.place_from
                and sum(w not in links for w in gap[1:]) <= 1
            ):
                return True
        return False

    def _close(self, a: Hit, b: Hit, tokens: Tokens, window: int) -> bool:
        if a.last_word < 0:
            return False
        if b.first_word <= a.last_word:
            # Inside one run of Chinese or Japanese (or one Korean/Arabic word with
            # its particles): close when b follows a within ``window`` characters.
            return a.end <= b.start <= a.end + window
        gap = tokens.words[a.last_word + 1 : b.first_word]
        fillers = self.lexicon.fillers
        # An owner written with 's is a filler too: "remove the nurse's cardigan".
        return len(gap) <= window and all(
            w in fillers or gap[i + 1 : i + 2] == ("s",) for i, w in enumerate(gap)
        )
