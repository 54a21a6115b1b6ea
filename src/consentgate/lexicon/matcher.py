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
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in one reading: character span and word span."""

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
        for entry in entries:
            self._add(entry)
        # Stems grouped by their first three letters: one lookup per word, not one per stem length.
        self._stems: dict[str, list[tuple[str, list[Entry]]]] = defaultdict(list)
        for stem, stem_entries in self._prefix.items():
            self._stems[stem[:STEM_KEY]].append((stem, stem_entries))
        self._sub_lengths = sorted({len(s) for s in self._substring}, reverse=True)
        self._sub_first = frozenset(s[0] for s in self._substring)

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

    def find(self, reading: str, tokens: Tokens) -> list[Hit]:
        hits: list[Hit] = []
        words = tokens.words
        count = len(words)
        for i, word in enumerate(words):
            candidates = list(self._exact.get(word, ()))
            if i + 1 < count:
                candidates.extend(self._pairs.get((word, words[i + 1]), ()))
            for stem, stem_entries in self._stems.get(word[:STEM_KEY], ()):
                if word.startswith(stem):
                    candidates.extend(stem_entries)
            for entry in candidates:
                last = i + len(entry.words) - 1
                if last < count and _rest_matches(entry, words, i):
                    start, end = tokens.starts[i], tokens.ends[last]
                    hits.append(Hit(entry, reading[start:end], start, end, i, last))
        if self._substring and not reading.isascii():
            hits.extend(self._find_substrings(reading, tokens))
        return hits

    def _find_substrings(self, reading: str, tokens: Tokens) -> list[Hit]:
        """Substring hits, each with the words it falls in, so combos can pair them."""
        hits: list[Hit] = []
        for start, ch in enumerate(reading):
            if ch not in self._sub_first:
                continue
            for length in self._sub_lengths:
                piece = reading[start : start + length]
                for entry in self._substring.get(piece, ()):
                    end = start + len(piece)
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
