"""Undo the disguises people use to slip words past a filter (policy R7).

Each function returns a new reading of the text; the normaliser keeps every
reading so that a lexicon or model can match whichever one reveals the word.
They only touch the parts of a text that look disguised, so ordinary text
passes through unchanged (and cheaply).

Every function is linear in the length of its input, whatever the characters: a
prompt may be 20,000 characters long, and a pattern that backtracks or a loop that
rescans from every position would let one crafted prompt hold a worker for
minutes. Patterns here therefore have no nested or overlapping quantifiers that a
failed match could retry from each position.
"""

from __future__ import annotations

import re
from collections import Counter

# Leetspeak and symbol substitutions, applied only inside tokens that also hold letters.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "€": "e", "|": "l", "!": "i", "+": "t"}
)  # fmt: skip
_LEET_L = str.maketrans({"1": "l", "!": "l", "|": "l"})
_HAS_LEET = re.compile(r"[0-9@$€|!+]")
_LEET_TOKEN = re.compile(r"[\w@$€|!+]+")
_EDGE_SYMBOLS = "!+|"  # read as letters only inside a word, not around it ("wow!!")

# Separators people put between letters: "n.u.d.e", "n-u-d-e", "n_u_d_e", "n*u*d*e".
_SEP = r"[.\-_*·•/|~+,:;]"
_INNER_SEP = re.compile(rf"(?<=\w){_SEP}+(?=\w)")
# A run of single letters (any word character but "_", which is a separator), each
# followed by one to four separators or spaces, starting after a space: "n u d e",
# "n.u.d.e". Possessive, so a run is read once and never retried from inside.
_RUN = re.compile(r"(?<!\S)[^\W_](?:[\s.\-_*·•/|~+,:;]{1,4}+[^\W_]){2,}+")
# The last letter of a run that a space (or the end) follows: where a spread-out word ends.
_RUN_END = re.compile(r".*[^\W_](?=\s)", re.DOTALL)
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
        core = token.lstrip(_EDGE_SYMBOLS)
        head = token[: len(token) - len(core)]
        stripped = core.rstrip(_EDGE_SYMBOLS)
        core, tail = stripped, core[len(stripped) :]
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


def _join_run(letters: str, seps: list[str], split_article: bool) -> str:
    """Join one spread-out run; a separator unlike the run's usual one is a word break."""
    counts = Counter(seps)
    usual, times = counts.most_common(1)[0]
    breaks = len(seps) > 2 and times >= 2
    words: list[list[str]] = [[letters[0]]]
    for sep, letter in zip(seps, letters[1:], strict=True):
        if breaks and sep != usual:
            words.append([letter])
        else:
            words[-1].append(letter)
    joined = ["".join(w) for w in words]
    if split_article:
        joined = [_split_article(w) for w in joined]
    return " ".join(joined)


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
        # The run ends at its last letter that a space or the end of the text follows.
        if match.end() < len(text) and not text[match.end()].isspace():
            last = _RUN_END.match(run)
            if last is None:
                return run
            run, rest = run[: last.end()], run[last.end() :]
        else:
            rest = ""
        letters = _SPACE_OR_SEP.sub("", run)
        if len(letters) < 3:
            return run + rest
        return _join_run(letters, _SPACE_OR_SEP.findall(run), split_article) + rest

    joined = _RUN.sub(join, text)
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
