"""Find lexicon phrases in a normalised reading, fast and without regex alternations.

Why not one big regex: an alternation of thousands of phrases is tried phrase by
phrase at every position. Here a phrase is looked up by its first word in a dict
(or, for a stem like ``desnud*``, by the word's prefix), and scripts written
without spaces between words (Chinese, Japanese) or with attached particles
(Korean, Arabic, Devanagari) are matched as substrings, again by dict lookups.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

Deadline = Callable[[], None]
"""Called now and then by long loops; it raises to stop work whose time budget is spent."""
CHECK_EVERY = 256  # loop iterations between two deadline checks

_WORD = re.compile(r"\w+")
STEM_KEY = 3  # stems are at least this long
_TERM_WORD = re.compile(r"\w+\*?")
# Scripts matched as substrings: Devanagari, Arabic, Thai, Hangul, kana and CJK.
_SUBSTRING_SCRIPT = re.compile(
    r"[\u0600-\u06ff\u0750-\u077f\u0900-\u097f\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff"
    r"\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase: what it means (``key``), the words it is made of, where it came from."""

    key: str
    term: str
    language: str
    words: tuple[str, ...] = ()
    prefix: tuple[bool, ...] = ()


class Hit(NamedTuple):
    """A phrase found in one reading: character span and word span.

    A named tuple rather than a frozen dataclass: as immutable, and several times
    cheaper to build, which counts when a long prompt yields tens of thousands.
    """

    entry: Entry
    span: str
    start: int
    end: int
    first_word: int = -1
    last_word: int = -1


@dataclass(frozen=True, slots=True)
class Tokens:
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def tokenize(reading: str) -> Tokens:
    matches = list(_WORD.finditer(reading))
    return Tokens(
        tuple(m.group() for m in matches),
        tuple(m.start() for m in matches),
        tuple(m.end() for m in matches),
    )


class PhraseMatcher:
    """An index of phrases, queried with one normalised reading at a time."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._exact: dict[str, list[Entry]] = defaultdict(list)
        # Phrases of two or more words whose second word is exact, by their first two words:
        # most phrases share a first word ("the", "my", "her"), few share two.
        self._pairs: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        self._prefix: dict[str, list[Entry]] = defaultdict(list)
        self._substring: dict[str, list[Entry]] = defaultdict(list)
        # A term listed under the same key by several languages ("bikini") is one entry,
        # the first: its other copies would only repeat its hits, which findings drop.
        seen: set[tuple[str, str]] = set()
        for entry in entries:
            if (entry.key, entry.term) not in seen:
                seen.add((entry.key, entry.term))
                self._add(entry)
        # Stems grouped by their first three letters: one lookup per word, not one per stem length.
        self._stems: dict[str, list[tuple[str, list[Entry]]]] = defaultdict(list)
        for stem, stem_entries in self._prefix.items():
            self._stems[stem[:STEM_KEY]].append((stem, stem_entries))
        # The lengths of the substring terms by their first two characters, longest first
        # (one-character terms by that character), and a pattern that skips to the
        # characters a substring term can start with.
        lengths: dict[str, set[int]] = defaultdict(set)
        for term in self._substring:
            lengths[term[:2]].add(len(term))
        self._sub_lengths = {head: sorted(n, reverse=True) for head, n in lengths.items()}
        firsts = "".join(sorted({term[0] for term in self._substring}))
        self._sub_first = re.compile(f"[{re.escape(firsts)}]" if firsts else "(?!)")

    @staticmethod
    def entry(key: str, term: str, language: str) -> Entry:
        """Compile a term: ``desnud*`` is a stem; CJK and similar terms match as substrings."""
        if _SUBSTRING_SCRIPT.search(term):
            return Entry(key, term.replace("*", ""), language)
        words = _TERM_WORD.findall(term)
        return Entry(
            key,
            term,
            language,
            tuple(w.rstrip("*") for w in words),
            tuple(w.endswith("*") for w in words),
        )

    def _add(self, entry: Entry) -> None:
        if not entry.words:
            if entry.term:
                self._substring[entry.term].append(entry)
        elif entry.prefix[0]:
            if len(entry.words[0]) < STEM_KEY:
                raise ValueError(f"stem {entry.term!r} is shorter than {STEM_KEY} letters")
            self._prefix[entry.words[0]].append(entry)
        elif len(entry.words) > 1 and not entry.prefix[1]:
            self._pairs[entry.words[0], entry.words[1]].append(entry)
        else:
            self._exact[entry.words[0]].append(entry)

    def __len__(self) -> int:
        tables = (self._exact, self._pairs, self._prefix, self._substring)
        return sum(len(v) for table in tables for v in table.values())

    def find(self, reading: str, tokens: Tokens, check: Deadline | None = None) -> list[Hit]:
        """Every phrase in ``reading``; ``check`` is called now and then and may raise."""
        hits: list[Hit] = []
        words = tokens.words
        count = len(words)
        # Entries a word can start, looked up once per distinct word: long prompts repeat words.
        starting: dict[str, tuple[list[Entry], list[Entry]]] = {}
        for i, word in enumerate(words):
            if check is not None and not i % CHECK_EVERY:
                check()
            known = starting.get(word)
            if known is None:
                known = starting[word] = (self._exact.get(word, []), self._stemmed(word))
            exact, stemmed = known
            pairs = self._pairs.get((word, words[i + 1]), ()) if i + 1 < count else ()
            for entry in chain(exact, pairs, stemmed):
                last = i + len(entry.words) - 1
                if last == i or (last < count and _rest_matches(entry, words, i)):
                    start, end = tokens.starts[i], tokens.ends[last]
                    hits.append(Hit(entry, reading[start:end], start, end, i, last))
        if self._substring and not reading.isascii():
            hits.extend(self._find_substrings(reading, tokens, check))
        return hits

    def _stemmed(self, word: str) -> list[Entry]:
        found: list[Entry] = []
        for stem, stem_entries in self._stems.get(word[:STEM_KEY], ()):
            if word.startswith(stem):
                found.extend(stem_entries)
        return found

    def _find_substrings(self, reading: str, tokens: Tokens, check: Deadline | None) -> list[Hit]:
        """Substring hits, each with the words it falls in, so combos can pair them."""
        hits: list[Hit] = []
        sub_lengths, size = self._sub_lengths, len(reading)
        for n, found in enumerate(self._sub_first.finditer(reading)):
            if check is not None and not n % CHECK_EVERY:
                check()
            start = found.start()
            head = reading[start : start + 2]
            longer = sub_lengths.get(head, ()) if len(head) == 2 else ()
            for length in chain(longer, sub_lengths.get(found.group(), ())):
                end = start + length
                if end > size:  # the shorter term this would cut to is looked up by itself
                    continue
                piece = reading[start:end]
                for entry in self._substring.get(piece, ()):
                    first = max(bisect_right(tokens.starts, start) - 1, 0)
                    last = max(bisect_right(tokens.starts, end - 1) - 1, first)
                    hits.append(Hit(entry, piece, start, end, first, last))
        return hits


def _rest_matches(entry: Entry, words: tuple[str, ...], i: int) -> bool:
    for offset in range(1, len(entry.words)):
        word, want = words[i + offset], entry.words[offset]
        if entry.prefix[offset]:
            if not word.startswith(want):
                return False
        elif word != want:
            return False
    return True
