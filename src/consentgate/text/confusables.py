"""Homoglyph folding: letters from other scripts that look like Latin ones (policy R7).

Why per token and by majority script: "nudе" hides a Cyrillic "е" inside a Latin
word, while "голая" is real Russian that the Russian lexicon must still match.
A token that mixes scripts is folded to the script most of its letters use; a
token written wholly in one script is left alone in the canonical reading and
folded to Latin only in an extra reading (which catches "ѕех", all lookalikes).

Fullwidth and mathematical letters are already folded by NFKC; this table covers
what NFKC leaves: Cyrillic, Greek, Armenian, small capitals, IPA letters and the
enclosed/regional-indicator letters used as decoration.
"""

from __future__ import annotations

import re

_TO_LATIN_PAIRS = (
    # Cyrillic
    "аa вb сc дd еe ёe һh іi їi јj кk мm нh оo рp ԛq ѕs тt уy хx ԝw ӏl ьb ʏy гr пn иu лn"
    " ԁd ѵv үy ұy ҳx ҫc ӄk ѡw ԍg"
    # Greek
    " αa βb γy δd εe ζz ηn ιi κk λl μu νv οo ρp σo ςc τt υu φo χx ωw άa έe ήn ίi όo ύu ώw ϲc"
    # Armenian
    " օo սu ցg հh ոn"
    # small capitals and IPA letters
    " ᴀa ʙb ᴄc ᴅd ᴇe ғf ɢg ʜh ɪi ᴊj ᴋk ʟl ᴍm ɴn ᴏo ᴘp ʀr ꜱs ᴛt ᴜu ᴠv ᴡw ʏy ᴢz ɑa ɡg ıi ɩi"
    " øo ðd łl ƅb ɓb ɗd ƙk ɱm ɲn ȥz ɦh ʋu ɾr ȷj"
)
TO_LATIN: dict[str, str] = {pair[0]: pair[1] for pair in _TO_LATIN_PAIRS.split()}

# Latin letters that stand in for Cyrillic ones inside a mostly-Cyrillic word.
_TO_CYRILLIC_PAIRS = "aа cс eе oо pр xх yу kк mм tт iі"
TO_CYRILLIC: dict[str, str] = {pair[0]: pair[1] for pair in _TO_CYRILLIC_PAIRS.split(" ")}


def _enclosed_letters() -> dict[str, str]:
    table: dict[str, str] = {}
    for start in (0x1F150, 0x1F170, 0x1F1E6):  # negative circled, negative squared, regional
        for offset in range(26):
            table[chr(start + offset)] = chr(ord("a") + offset)
    return table


ENCLOSED = _enclosed_letters()
# Lookalikes that honest Russian, Greek or Turkish text does not use.
RARE_LOOKALIKES = frozenset("ѕіјԛԝӏһϲᴀʙᴄᴅᴇғɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢɑɡɩԁѵҫӄѡԍɦʋɾȷ") | frozenset(ENCLOSED)
_LATIN_TABLE = str.maketrans(TO_LATIN)
_CYRILLIC_TABLE = str.maketrans(TO_CYRILLIC)
_TOKEN = re.compile(r"\S+")


def _script(ch: str) -> str | None:
    if "a" <= ch <= "z" or ch == "ı":  # Turkish dotless i is a real Latin letter
        return "latin"
    code = ord(ch)
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0370 <= code <= 0x03FF:
        return "greek"
    if ch in TO_LATIN:
        return "latin-like"
    return None


def _fold_token(token: str) -> str:
    if token.isascii():  # one script at most, and no lookalike
        return token
    counts = {"latin": 0, "cyrillic": 0, "greek": 0, "latin-like": 0}
    for ch in token:
        script = _script(ch)
        if script is not None:
            counts[script] += 1
    present = [s for s, n in counts.items() if n]
    if len(present) < 2 and "latin-like" not in present:
        return token
    if counts["cyrillic"] > counts["latin"] + counts["latin-like"] + counts["greek"]:
        return token.translate(_CYRILLIC_TABLE)
    return token.translate(_LATIN_TABLE)


def fold_mixed(text: str) -> str:
    """Fold only tokens that mix scripts, each to its majority script."""
    if text.isascii():
        return text
    return _TOKEN.sub(lambda m: _fold_token(m.group()), text)


def fold_all_to_latin(text: str) -> str:
    """Fold every lookalike to Latin (an extra reading; garbles real Russian/Greek)."""
    return text.translate(_LATIN_TABLE)
