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

Every rule looks only at hits near the hit it judges (``lexicon/positions.py``), so
a scan costs time in proportion to the prompt, and long loops call the caller's
deadline check so that a screen whose time is spent stops here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

from consentgate.lexicon.ages import minor_ages
from consentgate.lexicon.loader import Combo, Lexicon
from consentgate.lexicon.matcher import CHECK_EVERY, Deadline, Hit, Tokens, tokenize
from consentgate.lexicon.positions import HitIndex, SpanSet
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
    # By (label, span, term), the first finding of each: a long prompt repeats them.
    findings: dict[tuple[str, str, str], Finding]
    revealing: list[Hit]
    context: set[str]
    # (key, term) that some reading shows only inside an exclusion ("naked eye"):
    # other readings may have lost the exclusion to a disguise ("naked eуе").
    excluded: set[tuple[str, str]]

    def add(self, label: str, span: str, term: str, language: str) -> None:
        if (label, span, term) not in self.findings:
            self.findings[label, span, term] = Finding(label, span, term, language)


_FIRST_WORD = attrgetter("first_word")
_LAST_WORD = attrgetter("last_word")
_START = attrgetter("start")
_END = attrgetter("end")


@dataclass
class _Reading:
    """One reading, its hits by key, and position indexes built when a rule first asks."""

    text: str
    tokens: Tokens
    by_key: dict[str, list[Hit]]
    check: Deadline | None
    _indexes: dict[tuple[str, str], HitIndex] = field(default_factory=dict)
    # Whether a garment hit is not being worn, by id: each hit is judged once.
    not_worn: dict[int, bool] = field(default_factory=dict)

    def near(self, key: str, position: str, lo: int, hi: int) -> list[Hit]:
        """Hits of ``key`` whose ``position`` attribute lies in ``lo..hi``, in found order."""
        hits = self.by_key.get(key)
        if not hits:
            return []
        index = self._indexes.get((key, position))
        if index is None:
            index = self._indexes[key, position] = HitIndex(hits, attrgetter(position))
        return [hits[j] for j in index.between(lo, hi)]


class LexiconScanner:
    """Scans normalised prompts with one compiled lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._combos_by_first: dict[str, list[Combo]] = defaultdict(list)
        for combo in lexicon.combos:
            self._combos_by_first[combo.key_first].append(combo)
        # "を…に変え": the (head, tail) pairs by the first character of the head.
        self._swap_next: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for head, tail in lexicon.swap_next:
            self._swap_next[head[:1]].append((head, tail))

    def scan(self, text: NormalisedText, check: Deadline | None = None) -> dict[str, list[Finding]]:
        """Findings by label. ``check`` is called now and then; it may raise to give up."""
        state = _Scan({}, [], set(), set())
        for reading in text.readings:
            if check is not None:
                check()
            self._scan_reading(reading, state, check)
        for reading in dict.fromkeys((text.text, *text.variants[:1])):
            for age in minor_ages(reading):
                state.add("minor", age.span.strip(), f"age {age.age}", "*")
        state.findings = {
            key: f
            for key, f in state.findings.items()
            if (f"label:{f.label}", f.term) not in state.excluded
        }
        revealing = [
            h for h in state.revealing if ("revealing", h.entry.term) not in state.excluded
        ]
        if revealing and not self._garment_only(state):
            for h in revealing:
                state.add("sexualising_edit", h.span, h.entry.term, h.entry.language)
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for f in state.findings.values():
            grouped[f.label].append(f)
        return dict(grouped)

    @staticmethod
    def _garment_only(state: _Scan) -> bool:
        """A revealing garment with no person in sight: a product, a mannequin, a recolour."""
        if "person" in state.context or any(label in PERSONAL for label, _, _ in state.findings):
            return False
        return bool(state.context & {"non_person", "recolour"})

    def _scan_reading(self, reading: str, state: _Scan, check: Deadline | None) -> None:
        tokens = tokenize(reading)
        hits = self.lexicon.matcher.find(reading, tokens, check)
        if not hits:
            return
        excluded = SpanSet([h for h in hits if h.entry.key == "exclude"])
        by_key: dict[str, list[Hit]] = defaultdict(list)
        dropped: set[tuple[str, str]] = set()
        groups = self.lexicon.combo_groups
        for hit in hits:
            key = hit.entry.key
            if key == "exclude":
                continue
            if excluded.overlaps(hit):
                dropped.add((key, hit.entry.term))
            elif key in groups:
                for member in groups[key]:
                    by_key[member].append(hit)
            else:
                by_key[key].append(hit)
        r = _Reading(reading, tokens, by_key, check)
        if "revealing" in by_key:
            by_key["revealing"] = [
                h
                for h in by_key["revealing"]
                if not self._swapped_away(h, r) and not self._worn_by_removed(h, r)
            ]
        kept = {(h.entry.key, h.entry.term) for found in by_key.values() for h in found}
        state.excluded |= dropped - kept
        for key, found in by_key.items():
            if key.startswith("label:"):
                for h in found:
                    state.add(key[6:], h.span, h.entry.term, h.entry.language)
            elif key == "revealing":
                state.revealing += found
            elif not key.startswith("combo:"):
                state.context.add(key)
        for key in [k for k in by_key if k in self._combos_by_first]:
            for combo in self._combos_by_first[key]:
                self._combine(combo, r, state)

    def _combine(self, combo: Combo, r: _Reading, state: _Scan) -> None:
        firsts, thens = r.by_key.get(combo.key_first), r.by_key.get(combo.key_then)
        if not firsts or not thens:
            return
        thens = [b for b in thens if not self._not_worn(b, r)]
        window = combo.window
        # Only hits within ``window`` words (or characters, inside one run of CJK) can
        # be close: look those up instead of pairing every hit with every other.
        lookups = [
            (HitIndex(thens, _FIRST_WORD), _LAST_WORD, 1, 1 + window),
            (HitIndex(thens, _START), _END, 0, window),
        ]
        if combo.any_order:
            lookups += [
                (HitIndex(thens, _LAST_WORD), _FIRST_WORD, -1 - window, -1),
                (HitIndex(thens, _END), _START, -window, 0),
            ]
        for n, a in enumerate(firsts):
            if r.check is not None and not n % CHECK_EVERY:
                r.check()
            near: set[int] = set()
            for index, position, lo, hi in lookups:
                near.update(index.between(position(a) + lo, position(a) + hi))
            for j in sorted(near):
                b = thens[j]
                if self._close(a, b, r.tokens, window) or (
                    combo.any_order and self._close(b, a, r.tokens, window)
                ):
                    start, end = min(a.start, b.start), max(a.end, b.end)
                    term = f"{a.entry.term} … {b.entry.term}"
                    state.add(combo.label, r.text[start:end], term, a.entry.language)

    def _swapped_away(self, hit: Hit, r: _Reading) -> bool:
        """ "swap her bikini for …", "change the swimsuit to …", "… instead of a bikini"."""
        if hit.first_word < 0:
            return False
        rest = r.text[hit.end : hit.end + 24].lstrip()
        for head, tail in chain(self._swap_next.get(rest[:1], ()), self._swap_next.get("", ())):
            if rest.startswith(head) and tail in rest[len(head) :]:
                return True
        if r.near("swap_from", "last_word", hit.first_word - 3, hit.first_word):
            return True
        words, lex = r.tokens.words, self.lexicon
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
    def _worn_by_removed(hit: Hit, r: _Reading) -> bool:
        """ "remove the people in swimsuits from the background": who is removed wears it."""
        words = r.tokens.words
        i = hit.first_word - 1
        while i >= 0 and words[i] in ("a", "the", "their", "his", "her", "tiny", "small"):
            i -= 1
        if i < 1 or words[i] != "in":
            return False
        wearer = r.near("person", "last_word", i - 1, i - 1)
        if not wearer:
            return False
        first = wearer[0].first_word
        return bool(r.near("removal", "last_word", first - 3, first - 1))

    def _not_worn(self, hit: Hit, r: _Reading) -> bool:
        """A garment part ("the shirt logo") or a garment lying somewhere ("… from the line")."""
        known = r.not_worn.get(id(hit))
        if known is None:
            known = r.not_worn[id(hit)] = self._lies_somewhere(hit, r)
        return known

    def _lies_somewhere(self, hit: Hit, r: _Reading) -> bool:
        words = r.tokens.words
        following = words[hit.last_word + 1 : hit.last_word + 2]
        if following and following[0] in self.lexicon.garment_part:
            return True
        if hit.last_word < 0:
            return False
        # A place at most three words on: "dress off [the] hanger", "from the bathroom rack".
        for place in r.near("place", "first_word", hit.last_word + 1, hit.last_word + 4):
            gap = words[hit.last_word + 1 : place.first_word]
            links = self.lexicon.place_links
            if words[hit.last_word] in self.lexicon.place_from:  # "dress off" the hanger
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
