"""Undo the disguises people use to slip words past a filter (policy R7).

Each function returns a new reading of the text; the normaliser keeps every
reading so that a lexicon or model can match whichever one reveals the word.
They only touch the parts of a text that look disguised, so ordinary text
passes through unchanged (and cheaply).
"""

from __future__ import annotations

import re

# Leetspeak and symbol substitutions, applied only inside tokens that also hold letters.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "€": "e", "|": "l", "!": "i", "+": "t"}
)  # fmt: skip
_LEET_L = str.maketrans({"1": "l", "!": "l", "|": "l"})
_HAS_LEET = re.compile(r"[0-9@$€|!+]")
_LEET_TOKEN = re.compile(r"[\w@$€|!+]+")
_EDGES = re.compile(r"^([!+|]*)(.*?)([!+|]*)$", re.DOTALL)

# Separators people put between letters: "n.u.d.e", "n-u-d-e", "n_u_d_e", "n*u*d*e".
_SEP = r"[.\-_*·•/|~+,:;]"
_INNER_SEP = re.compile(rf"(?<=\w){_SEP}+(?=\w)")
_SINGLE_RUN = re.compile(r"(?<!\S)(?:\w[\s.\-_*·•/|~+,:;]{1,4}){2,}\w(?!\S)")
_SPACE_OR_SEP = re.compile(r"[\s.\-_*·•/|~+,:;]+")
# Letters that are words of their own in some language ("a", "i", Polish "w", Russian "в").
_ONE_LETTER_WORDS = frozenset("aeiouwyzвсиаоук")
_REPEAT3 = re.compile(r"(\D)\1{2,}")
_REPEAT2 = re.compile(r"(\D)\1+")


def unleet(text: str, one_as_l: bool = False) -> str:
    """Read digits and symbols inside words as the letters they stand for."""
    if not _HAS_LEET.search(text):
        return text

    def fix(match: re.Match[str]) -> str:
        token = match.group()
        edges = _EDGES.match(token)
        assert edges is not None  # the pattern matches any token
        head, core, tail = edges.groups()
        if not core or core.isdigit() or not any(c.isalpha() for c in core):
            return token
        if one_as_l:
            core = core.translate(_LEET_L)
        return head + core.translate(_LEET) + tail

    return _LEET_TOKEN.sub(fix, text)


# Articles that a spread-out run may begin with: "u n b i k i n i" is "un bikini",
# "E I N E N B I K I N I" is "einen bikini". Longest first.
_ARTICLES = (
    "einen", "einem", "unos", "unas", "eine", "une", "una", "uno", "las", "los", "les", "son",
    "ses", "den", "die", "der", "das", "ein", "uma", "gli", "the", "her", "his", "het", "een",
    "un", "el", "la", "le", "sa", "um", "il", "lo", "an",
)  # fmt: skip


def _split_article(word: str) -> str:
    """ "unbikini" → "un bikini": a leading article, when at least four letters follow."""
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 4:
            return f"{article} {word[len(article) :]}"
    if len(word) > 3 and word[0] in _ONE_LETTER_WORDS:
        return f"{word[0]} {word[1:]}"
    return word


def join_letters(text: str, split_article: bool = False) -> str:
    """Join letters spread out with spaces or dots ("n u d e", "n.u.d.e" → "nude").

    A separator unlike the run's usual one marks a word break: "l.a.t.e.x. .o.u.t.f.i.t"
    → "latex outfit", "o v-e-s-t-i-d-o" → "o vestido". With ``split_article`` a run
    that starts with a one-letter word ("a", "i", "w") or an article keeps it apart
    ("in a b i k i n i" → "in a bikini", "u n b i k i n i" → "un bikini"), since
    either reading is possible.
    """

    def join(match: re.Match[str]) -> str:
        run = match.group()
        letters = _SPACE_OR_SEP.sub("", run)
        seps = _SPACE_OR_SEP.findall(run)
        usual = max(set(seps), key=seps.count)
        words = [letters[0]]
        for sep, letter in zip(seps, letters[1:], strict=True):
            if len(seps) > 2 and seps.count(usual) >= 2 and sep != usual:
                words.append(letter)
            else:
                words[-1] += letter
        if split_article:
            words = [_split_article(w) for w in words]
        return " ".join(words)

    joined = _SINGLE_RUN.sub(join, text)
    return _INNER_SEP.sub("", joined)


# Chinese and Japanese put no spaces between words, so spaces inside them are disguise.
_CJK_GAP = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])[\s.\-_*·•]+"
    r"(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])"
)


def close_cjk_gaps(text: str) -> str:
    """Remove spaces and dots between CJK/kana/Hangul characters ("脱 掉" → "脱掉")."""
    return _CJK_GAP.sub("", text)


def squash_repeats(text: str, keep: int = 1) -> str:
    """Collapse letters repeated for effect ("nuuuude" → "nude", keep=2: "booooobs" → "boobs")."""
    if keep == 1:
        return _REPEAT2.sub(r"\1", text)
    return _REPEAT3.sub(r"\1\1", text)


def has_repeats(text: str) -> bool:
    return _REPEAT3.search(text) is not None
