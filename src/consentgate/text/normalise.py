"""Normalise a prompt before any rule or model sees it (policy R7).

Why several readings and not one: every fold that reveals a disguise can also
destroy honest text (reading "1" as "i" breaks "12 years old"; folding Cyrillic
to Latin breaks Russian). So the canonical reading is conservative and each
aggressive fold is kept as an extra reading; detectors match all of them.
The work is a handful of ``str.translate`` calls and regexes over a short
string, a few tens of microseconds for a typical prompt.

Control and format characters (NUL, escape sequences, bidi overrides, zero-width
characters) are content, never bad input: a prompt that carries them is a
disguised prompt. They are removed here, the disguise ``hidden_characters`` names
them for the decision, and the screen goes on.
"""

from __future__ import annotations

import re
import unicodedata

from consentgate.text.confusables import (
    ENCLOSED,
    RARE_LOOKALIKES,
    fold_all_to_latin,
    fold_mixed,
)
from consentgate.text.disguise import (
    close_cjk_gaps,
    has_repeats,
    join_letters,
    squash_repeats,
    unleet,
)
from consentgate.text.emoji import EMOJI_TABLE
from consentgate.text.fused import split_fused
from consentgate.text.normalised import NormalisedText
from consentgate.text.spelling import respell, uncensor

_INVISIBLE = [
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070),
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x180E, 0x3164, 0xFEFF, 0xFFA0,
    *range(0xE0000, 0xE0080),
]  # fmt: skip
_CONTROL = [c for c in range(0x20) if chr(c) not in "\t\n\r"] + list(range(0x7F, 0xA0))
# The other format characters (Unicode category Cf): number signs, interlinear
# annotation, shorthand and musical format controls. Invisible in a prompt, so a
# disguise like the zero-width ones; removed, never refused.
_FORMAT = [
    *range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, *range(0xFFF9, 0xFFFC),
    0x110BD, 0x110CD, *range(0x13430, 0x13439), *range(0x1BCA0, 0x1BCA4),
    *range(0x1D173, 0x1D17B),
]  # fmt: skip
# Unpaired surrogates: not characters at all (undecodable bytes become them).
_SURROGATES = list(range(0xD800, 0xE000))
_COMBINING = [
    *range(0x0300, 0x0370), *range(0x1AB0, 0x1B00), *range(0x1DC0, 0x1E00),
    *range(0x20D0, 0x2100), *range(0xFE20, 0xFE30),
    # Arabic vowel marks, Quranic marks and the tatweel that stretches words: "كبّر", "عـاريـة"
    *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0640, 0x0670, *range(0x06D6, 0x06EE),
]  # fmt: skip
_QUOTES = {ord(q): "'" for q in "’‘`´ʼ′"}
# Arabic-Indic, Persian and Devanagari digits read as ASCII digits (ages!).
_DIGITS = {base + i: str(i) for base in (0x0660, 0x06F0, 0x0966) for i in range(10)}
_CLEAN = str.maketrans(
    {
        **dict.fromkeys(_INVISIBLE + _CONTROL + _FORMAT + _SURROGATES),
        **_QUOTES,
        **_DIGITS,
        **EMOJI_TABLE,
        **ENCLOSED,
    }
)
_DROP_MARKS = str.maketrans(dict.fromkeys(_COMBINING))


def _latin_base(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base or ch


# Accented Latin letters to their base letter ("desnúdala" → "desnudala"); Arabic
# letters people write interchangeably to one form (hamza-carrying alefs, alef
# maqsura, ta marbuta), as Arabic search engines do.
_ACCENTS = str.maketrans(
    {
        **{chr(c): _latin_base(chr(c)) for c in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))},
        **{"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"},
    }
)
_SPACES = re.compile(r"\s+")
# A terminal's escape sequence (ESC [ parameters final), e.g. "\x1b[31m" for red: the
# whole sequence is invisible formatting, not only its ESC. Bounded, so linear.
_ANSI_CSI = re.compile(r"\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]")
# Two or more spaces between letters spelled out one by one mark a word break
# ("u n d r e s s   h e r"); collapsing them first would lose it.
_WIDE_GAP = re.compile(r"(?<=\S)\s{2,}(?=\S)")


def strip_accents(text: str) -> str:
    """Accented Latin letters to their base letters, Arabic letter variants to one form."""
    return text.translate(_ACCENTS)


_ZERO_WIDTH = frozenset(chr(c) for c in _INVISIBLE)
# Control, format and surrogate code points: what ``hidden_characters`` reports.
_HIDDEN = frozenset(chr(c) for c in _INVISIBLE + _CONTROL + _FORMAT + _SURROGATES)
_EMOJI = frozenset(chr(c) for c in EMOJI_TABLE if c > 0x2100)


def _detect(
    raw: str, base: str, canonical: str, latin: str, leet: str, joined: str, spelled: str
) -> tuple[str, ...]:
    found = []
    chars = set(raw)
    if not _ZERO_WIDTH.isdisjoint(chars):
        found.append("zero_width")
    if not _HIDDEN.isdisjoint(chars):
        found.append("hidden_characters")
    if base != canonical or not (
        RARE_LOOKALIKES.isdisjoint(base) and RARE_LOOKALIKES.isdisjoint(chars)
    ):
        found.append("homoglyph")
    if not _EMOJI.isdisjoint(chars):
        found.append("emoji")
    if leet != latin:
        found.append("leetspeak")
    if joined != leet:
        found.append("spacing")
    if has_repeats(latin):
        found.append("repeats")
    if spelled != joined:
        found.append("respelled")
    return tuple(found)


def normalise(text: str) -> NormalisedText:
    """Return the canonical reading of ``text`` and the readings disguises hide behind."""
    cleaned = unicodedata.normalize("NFKC", _ANSI_CSI.sub("", text)).translate(_CLEAN).casefold()
    unmarked = cleaned.translate(_DROP_MARKS)
    base = _SPACES.sub(" ", unmarked).strip()
    canonical = fold_mixed(base)
    latin = base if base.isascii() else fold_all_to_latin(strip_accents(canonical))
    leet = unleet(latin)
    joined = unleet(join_letters(latin))
    readings = [canonical, base, latin, leet, joined, unleet(join_letters(latin, True))]
    if not base.isascii():
        readings += [join_letters(canonical), join_letters(canonical, True)]
        readings.append(close_cjk_gaps(readings[-2]))
    if leet != latin and any(c in latin for c in "1!|"):
        readings += [unleet(latin, one_as_l=True), unleet(join_letters(latin), one_as_l=True)]
    if has_repeats(joined):
        readings += [squash_repeats(joined, 1), squash_repeats(joined, 2)]
    if _WIDE_GAP.search(unmarked):
        gapped = _SPACES.sub(" ", _WIDE_GAP.sub(" / ", unmarked)).strip()
        if not gapped.isascii():
            gapped = fold_all_to_latin(strip_accents(fold_mixed(gapped)))
        spread = join_letters(gapped)
        if spread != gapped:  # letters were spelled out one by one
            readings.append(unleet(spread))
    fused = split_fused(joined)
    if fused != joined:
        readings.append(fused)
    uncensored = uncensor(leet)
    spelled = respell(joined if uncensored == leet else unleet(join_letters(uncensored)))
    if spelled != joined:
        readings.append(spelled)
    variants = tuple(dict.fromkeys(r for r in readings[1:] if r != canonical))
    disguises = _detect(text, base, canonical, latin, leet, joined, spelled)
    if fused != joined:
        disguises = (*disguises, "fused")
    return NormalisedText(original=text, text=canonical, variants=variants, disguises=disguises)
