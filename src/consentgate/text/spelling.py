"""Near-spellings of the words a filter looks for (policy R7).

Why a curated word list here and not the whole lexicon: these folds guess at a
word that is not literally written, so each guess must be one that honest text
almost never produces. Three disguises are undone, each only into the words below:

* censored letters: ``n*ked``, ``p**n``, ``s#x`` (one ``*`` or ``#`` per letter);
* a word split in two by a space: ``nu de``, ``lin gerie``, ``bi kini``. Pairs that
  are honest words side by side ("top less", "pen is") are never joined;
* one-letter slips in long words: a letter dropped, added or swapped with its
  neighbour (``undres``, ``underess``, ``lingere``, ``bkini``). A wrong letter is
  guessed only in words of eight letters or more (``lingeree``): in shorter ones it
  turns "parties" into "panties" and "ripples" into "nipples".

The result is one extra reading; the canonical text is never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words people censor with asterisks. Matched letter for letter ("p*rn" = porn).
CENSORABLE = _words(
    "nude nudes naked nudity topless undress undressed bikini lingerie panties thong nipples "
    "nipple boobs boobies breasts breast tits titties porn porno sex sexy fuck fucked fucking "
    "fucks cock dick pussy cum penis vagina horny slut whore hentai strip stripped stripping "
    "explicit erotic orgasm blowjob naughty nsfw undies desnuda desnudo nackt nue nua pelada "
    "nuda tetas titten seins"
)
# Words also found when split in two by a space.
JOINABLE = _words(
    "nude nudes naked nudity undress undressed undressing bikini bikinis lingerie panties boobs "
    "breasts nipples hentai topless fuck pussy desnuda desnudo nackt pelada porn"
)
# Honest word pairs whose concatenation is one of the words above.
_HONEST_PAIRS = frozenset({("top", "less"), ("pen", "is"), ("who", "re"), ("breast", "s")})
# Long words whose one-letter slips are still unmistakable.
SLIP_TARGETS = _words(
    "undress undressed undressing unclothed lingerie topless bikini bikinis naked nudity "
    "desnuda desnudala desnudar"
)
# Real words one slip away from a target: never "corrected".
_REAL_WORDS = _words("snaked naled nakeds address dress undresses sundress sundressed")
# A whole word of letters, ``*`` and ``#``. Possessive: a word followed by a digit or
# another script fails at once instead of retrying every split of its letters.
_CENSORED = re.compile(r"(?<![\w*#])[a-z*#]++(?![\w*#])")
_STARS = "*#"
_PUNCT = ".,;:!?'\"()[]"


def _slips(word: str) -> set[str]:
    """A word with one letter dropped, or two neighbours swapped."""
    out = {word[:i] + word[i + 1 :] for i in range(len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    out.discard(word)
    return out


_SLIP_INDEX: dict[str, str] = {}
for _target in sorted(SLIP_TARGETS):
    for _slip in _slips(_target):
        if _slip not in _REAL_WORDS and _slip not in SLIP_TARGETS:
            _SLIP_INDEX.setdefault(_slip, _target)
_MIN_SLIP = min(len(t) for t in SLIP_TARGETS) - 1
_TARGET_LENGTHS = frozenset(len(t) for t in SLIP_TARGETS)
# A wrong letter, for long targets only: "lingeree" → "lingerie".
_LONG = 8
_WRONG_LETTER: dict[str, str] = {
    _target[:i] + "?" + _target[i + 1 :]: _target
    for _target in sorted(SLIP_TARGETS)
    if len(_target) >= _LONG
    for i in range(len(_target))
}
_CENSOR_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _word in sorted(CENSORABLE):
    _CENSOR_BY_LENGTH[len(_word)] = (*_CENSOR_BY_LENGTH.get(len(_word), ()), _word)


def uncensor(text: str) -> str:
    """Read ``n*ked`` as ``naked``: each ``*`` or ``#`` inside a word is one letter."""
    if "*" not in text and "#" not in text:
        return text

    def fix(match: re.Match[str]) -> str:
        token = match.group()
        words = _CENSOR_BY_LENGTH.get(len(token))
        if not words or sum(c.isalpha() for c in token) < 2 or token.isalpha():
            return token
        for word in words:
            if all(c == w or c in _STARS for c, w in zip(token, word, strict=True)):
                return word
        return token

    return _CENSORED.sub(fix, text)


@lru_cache(maxsize=50_000)
def _slip_target(word: str) -> str | None:
    if len(word) < _MIN_SLIP or word in SLIP_TARGETS or word in _REAL_WORDS:
        return None
    hit = _SLIP_INDEX.get(word)  # a letter dropped or two swapped
    if hit is not None:
        return hit
    if len(word) - 1 in _TARGET_LENGTHS:
        for i in range(1, len(word)):  # a letter added (not in front: "sundress")
            shorter = word[:i] + word[i + 1 :]
            if shorter in SLIP_TARGETS:
                return shorter
    if len(word) >= _LONG and len(word) in _TARGET_LENGTHS:
        for i in range(len(word)):
            target = _WRONG_LETTER.get(word[:i] + "?" + word[i + 1 :])
            if target is not None:
                return target
    return None


def respell(text: str) -> str:
    """Join split words and correct one-letter slips, word by word."""
    words = text.split(" ")
    bare = [w.strip(_PUNCT) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        word = bare[i]
        if i + 1 < len(words) and words[i] == word:
            pair = word + bare[i + 1]
            if pair in JOINABLE and (word, bare[i + 1]) not in _HONEST_PAIRS:
                out.append(words[i] + words[i + 1])
                i += 2
                continue
        target = _slip_target(word)
        out.append(words[i].replace(word, target) if target else words[i])
        i += 1
    return " ".join(out)
