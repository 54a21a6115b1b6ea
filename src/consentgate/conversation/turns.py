"""Read one turn of a conversation: its lexicon labels and what it does to clothes.

Each turn is read alone, once per process (``conversation.cache``): the garments
it names and their layer, what takes them off, whether they are worn at all (not
on a chair, not a part of one), pronouns that stand for a garment ("take it
off"), continuations that stand alone ("keep going", not "more sun"), other edits,
and how many words of content are left once every cue is accounted for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from consentgate.conversation.cache import TurnCache, turn_slice
from consentgate.conversation.cues import LAYERS, CueBook
from consentgate.conversation.readings import Removal, TurnReading
from consentgate.lexicon.loader import Lexicon
from consentgate.lexicon.matcher import Hit, Tokens, tokenize
from consentgate.lexicon.scanner import PERSONAL, LexiconScanner
from consentgate.text.normalise import normalise
from consentgate.text.normalised import NormalisedText

NEAR = 4  # words between a verb and the garment it takes off
PLACE_AFTER = 6  # words after a garment in which a place means it lies there
CLAUSE_BREAK = ",.;:!?-–—"
# Words of scripts written with spaces: a word there is one unit of content. Other
# scripts (CJK, Thai) run words together, and Korean, Arabic and Devanagari words
# carry particles: their uncovered characters are counted instead.
_SPACED = re.compile(r"[\u0000-\u05ff\u1e00-\u1fff]+")

Check = Callable[[], None]
# What may follow a pronoun that stands for a garment: "take it off", "remove it completely".
_AFTER_IT = frozenset({"off", "more", "rest", "underneath"})


class TurnReader:
    """Reads turns with the prompt lexicon and the conversation cues, each turn once."""

    def __init__(
        self,
        lexicon: Lexicon,
        cues: CueBook,
        cache: TurnCache | None = None,
        normaliser: Callable[[str], NormalisedText] = normalise,
    ) -> None:
        self._lexicon = lexicon
        self._scanner = LexiconScanner(lexicon)
        self._cues = cues
        self._normalise = normaliser
        self.cache = cache if cache is not None else TurnCache()

    def read(self, turn: str, check: Check | None = None) -> TurnReading:
        """The reading of one turn: from the cache, or read now (at most ``TURN_CHARS``).

        ``check`` (the screen's deadline) is called before each turn and inside the
        lexicon's scan; it raises to stop work whose time is spent."""
        if check is not None:
            check()
        text = self._normalise(turn_slice(turn))
        key = (text.text, *text.variants)
        found = self.cache.get(key)
        if found is None:
            found = self._read(text, check)
            self.cache.put(key, found)
        return found

    def _read(self, text: NormalisedText, check: Check | None) -> TurnReading:
        findings = self._scanner.scan(text, check)
        state = _TurnState()
        for reading in text.readings:
            if check is not None:
                check()
            self._read_reading(reading, state, check)
        flat = tuple(f for found in findings.values() for f in found)
        return TurnReading(
            text=text.text,
            findings=flat,
            person=state.person or any(label in PERSONAL for label in findings),
            removals=tuple(dict.fromkeys(state.removals)),
            garments=tuple(dict.fromkeys(state.garments)),
            underneath=state.first("underneath"),
            rest=state.first("rest"),
            more=state.more,
            shrink=state.first("shrink"),
            removes_nothing=state.removes_nothing,
            other_edit=state.other_edit,
            lying=state.lying,
            content=state.content if state.content is not None else 0,
        )

    def _read_reading(self, reading: str, state: _TurnState, check: Check | None) -> None:
        tokens = tokenize(reading)
        hits = _longest(self._cues.matcher.find(reading, tokens, check))
        context = self._lexicon.matcher.find(reading, tokens, check)
        by_kind: dict[str, list[Hit]] = {}
        for hit in hits:
            by_kind.setdefault(hit.entry.key, []).append(hit)
        people = [h for h in context if h.entry.key == "person"]
        places = by_kind.get("place", []) + [h for h in context if h.entry.key == "place"]
        away = any(h.entry.key == "non_person" for h in context)
        state.person = state.person or bool(people)
        words = tokens.words
        named = [h for h in hits if h.entry.key in LAYERS]
        garments = [
            (LAYERS[h.entry.key], h) for h in named if not (away or self._lies(h, words, places))
        ]
        state.lying = state.lying or len(garments) < len(named)
        verbs = by_kind.get("remove", [])
        offs = by_kind.get("off", [])
        pronouns = by_kind.get("it", [])
        taken: set[int] = set()
        for n, (layer, g) in enumerate(garments):
            if any(self._takes(v, g, words) for v in verbs) or any(_follows(g, o, 2) for o in offs):
                state.removals.append(Removal(layer, g.span))
                taken.add(n)
        # "take it off", "remove that": a pronoun that ends its phrase ("la gente" is no "it")
        pronouns = [p for p in pronouns if self._ends_phrase(p, tokens, hits)]
        if not taken and (verbs or offs):
            if any(_follows(v, p, 2) for v in verbs for p in pronouns) or any(
                _follows(p, o, 2) for p in pronouns for o in offs
            ):
                # "take it off": the garment named in this turn, else the last one before
                layer = max((named_layer for named_layer, _ in garments), default=-1)
                state.removals.append(Removal(layer, (verbs or offs)[0].span))
            elif verbs and not garments:
                state.removes_nothing = True
        for n, (layer, g) in enumerate(garments):
            if n not in taken and not verbs:
                state.garments.append(Removal(layer, g.span))
        for kind in ("underneath", "rest", "shrink"):
            if kind in by_kind and kind not in state.spans:
                state.spans[kind] = by_kind[kind][0].span
        state.other_edit = state.other_edit or bool(by_kind.get("dress") or by_kind.get("action"))
        labelled = [h for h in context if h.entry.key.startswith("label:")]
        content = self._content(tokens, _covered(reading, hits + people + labelled))
        state.content = content if state.content is None else min(state.content, content)
        for h in by_kind.get("more", []):
            rest = reading[h.end :].lstrip()
            if content == 0 or (rest[:1] and rest[0] in CLAUSE_BREAK):
                state.more = state.more or h.span
                break

    def _content(self, tokens: Tokens, covered: bytearray) -> int:
        """Words that no cue, person word, filler or polite word accounts for.

        In a run of CJK (or a word with attached particles) the characters no cue
        (polite ones included: "了", "吧", "해") covered count: more than one left is
        a word of content."""
        fillers, polite = self._lexicon.fillers, self._cues.polite
        count = 0
        for word, start, end in zip(tokens.words, tokens.starts, tokens.ends, strict=True):
            left = "".join(c for c, seen in zip(word, covered[start:end], strict=True) if not seen)
            if not left or word in fillers or word in polite or word.isdigit():
                continue
            if _SPACED.fullmatch(word):
                count += 1
                continue
            count += len(left) > 1
        return count

    def _ends_phrase(self, pronoun: Hit, tokens: Tokens, hits: list[Hit]) -> bool:
        """Nothing of content follows the pronoun: it stands for a thing, not an article."""
        following = pronoun.last_word + 1
        if following >= len(tokens.words) or pronoun.first_word == pronoun.last_word == -1:
            return True
        word = tokens.words[following]
        if word in self._lexicon.fillers or word in self._cues.polite:
            return True
        return any(h.first_word == following and h.entry.key in _AFTER_IT for h in hits)

    def _lies(self, garment: Hit, words: tuple[str, ...], places: list[Hit]) -> bool:
        """A garment lying somewhere ("the coat hanging on the door") is worn by nobody,
        and a part of one ("the top button", "the shirt logo") is not a garment."""
        after = words[garment.last_word + 1 : garment.last_word + 2]
        if after and after[0] in self._lexicon.garment_part:
            return True
        return any(
            garment.last_word < p.first_word <= garment.last_word + PLACE_AFTER for p in places
        )

    def _takes(self, verb: Hit, garment: Hit, words: tuple[str, ...]) -> bool:
        """The verb's object is the garment: near it, with at most one describing word between."""
        if verb.last_word <= garment.first_word:
            gap = words[verb.last_word + 1 : garment.first_word]
            if verb.last_word == garment.first_word:  # one run of CJK: any order
                return True
        else:
            gap = words[garment.last_word + 1 : verb.first_word]  # "die Jacke ausziehen"
        if len(gap) > NEAR:
            return False
        if any(w in self._lexicon.garment_part for w in gap):
            return False
        loose = [w for w in gap if w not in self._lexicon.fillers and w not in self._cues.polite]
        return len(loose) <= 1


def _follows(first: Hit, second: Hit, within: int) -> bool:
    return first.last_word < second.first_word <= first.last_word + within or (
        first.last_word == second.first_word and first.end <= second.start
    )


def _longest(hits: list[Hit]) -> list[Hit]:
    """Hits not inside a longer one: "blouse" is not "bra" ("ブラウス", "ブラ"), "more
    see-through" is not "more", "bikini top" is underwear and not a top. One pass over
    the hits by start (longest first): linear after the sort."""
    kept: list[Hit] = []
    reach = -1  # the furthest end of the hits that start before this one
    start, group_end = -1, -1  # the hits that start where this one does: their furthest end
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if h.start != start:
            reach, start, group_end = max(reach, group_end), h.start, -1
        if reach < h.end and group_end <= h.end:
            kept.append(h)
        group_end = max(group_end, h.end)
    return kept


def _covered(reading: str, hits: list[Hit]) -> bytearray:
    """One byte per character of the reading: 1 where some hit covers it."""
    mask = bytearray(len(reading))
    for h in hits:
        mask[h.start : h.end] = b"\x01" * (h.end - h.start)
    return mask


@dataclass
class _TurnState:
    person: bool = False
    removals: list[Removal] = field(default_factory=list)
    garments: list[Removal] = field(default_factory=list)
    spans: dict[str, str] = field(default_factory=dict)
    more: str | None = None
    removes_nothing: bool = False
    other_edit: bool = False
    lying: bool = False
    content: int | None = None

    def first(self, kind: str) -> str | None:
        return self.spans.get(kind)
