"""When the semantic detector asks its second, wider encoder (multilingual-e5).

Why a cascade: multilingual USE reads 16 languages in 2-4 ms; e5 reads about 100
but costs 35-45 ms a prompt on one core. Running e5 on every prompt would break
the latency budget (p99 <= 20 ms), so e5 runs only where USE is blind: text in a
script USE was not trained on, Latin text with letters none of USE's Latin
languages use (Romanian ă ș ț, Czech ě ř ů, Nordic å ø, Vietnamese ơ ư ...),
and Latin text with none of the common words of USE's Latin languages
(Tagalog, Indonesian, Finnish, Swahili ... written without accents).

A short prompt in English with no function word ("nude woman") also takes the
wide path; that costs time, never recall.

Where e5 is asked (``reads_wide``): always for a script or letters USE was not
trained on; for Latin text with no common word only when the lexicon found a
cue in it. ``bench/e5_value.py`` measured what e5 adds per class: on every
prompt of our sets and the public sets' test halves, e5 instead of USE changed
the decision (verdict, escalation, or a rule that fired) of no prompt of that
last class without a lexicon cue (mostly keyword-list prompts: "lazy day",
"80s, supreme pizza, advertisement"; the harmful ones in languages outside the
lexicon were missed by both encoders), while with a cue it kept USE from
escalating disguised prompts as child safety. So e5's 35-45 ms go only where
they changed decisions.
"""

from __future__ import annotations

import re

# Scripts USE v3 was not trained on (USE: Latin, Arabic, Cyrillic, CJK, Hangul, Kana, Thai).
_FOREIGN_SCRIPT = re.compile(
    "[\u0370-\u03ff"  # Greek
    "\u0530-\u05ff"  # Armenian, Hebrew
    "\u0700-\u08ff"  # Syriac, Thaana, NKo ...
    "\u0900-\u0dff"  # Devanagari and the other Indic scripts, Sinhala
    "\u0e80-\u0eff"  # Lao
    "\u0f00-\u10ff"  # Tibetan, Myanmar, Georgian
    "\u1200-\u139f"  # Ethiopic
    "\u1780-\u17ff"  # Khmer
    "\u067e\u0686\u0698\u06a9\u06af\u06cc\u06d2\u0679\u0688\u0691\u06ba\u06be"  # Persian, Urdu
    "\u0456\u0457\u0454\u0491\u045e\u0458\u0459\u045a\u045b\u0452\u045f\u04d9\u0493\u049b"
    "\u04a3\u04e9\u04b1\u04af\u04bb"  # Cyrillic letters Russian does not use
    "]"
)
# Latin letters none of USE's Latin languages (en de es fr it nl pl pt tr) use.
_FOREIGN_LATIN = re.compile(
    "[ășțţčšžýěřůďťňľĺŕőűåøæðþāēīūŋơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"
)
_LATIN_WORD = re.compile(r"[a-zà-ÿąćęłńśźżğış]+")
# Common words of USE's Latin languages; ambiguous short ones ("a", "de", "na") left out.
_COMMON = frozenset(
    """
    the her his him she he is are with and of to make put this that into from on at an it
    them their be for no without remove take off up out photo picture image woman man girl
    boy me my you your show give turn change add edit wearing by in down through near under
    over sitting standing flying riding parked next two three white black blue red green large
    small big little street road building people person table plate kitchen room water sky
    view front top side some other there while has have who which what where one its
    art portrait detailed highly trending artstation digital painting style concept realistic
    illustration render cinematic lighting beautiful face body hair dress wearing look like
    der die das und ist sie ihr ihre mit ein eine nicht auf aus zu den dem bild mach
    le les une un elle il et des du avec sur pour est sans son sa ses fais
    el los las una ella y del con por para que su sus es sin foto quita haz
    il gli lei lui della con per che senza sua suo fai togli
    os uma ela ele do da dos das com sua seu sem tire faça
    het een zij ze en van met op haar hem zijn maak
    jej ją się że jest zdjęcie zrób ona w
    ve bir bu onu onun ile için yap kadın kız
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_ENGLISH_ENDINGS = ("ing", "ed", "ly", "tion")


def wide_reason(text: str) -> str | None:
    """Why USE may not read ``text``'s language (normalised, lower-case text), or None:
    ``script`` (a script USE was not trained on), ``letters`` (Latin letters none of
    its languages use) or ``words`` (Latin text with none of their common words)."""
    if _FOREIGN_SCRIPT.search(text):
        return "script"
    if _FOREIGN_LATIN.search(text):
        return "letters"
    words = _LATIN_WORD.findall(text)
    if words and not any(w in _COMMON or w.endswith(_ENGLISH_ENDINGS) for w in words):
        return "words"
    return None


def needs_wide_encoder(text: str) -> bool:
    """True when USE may not read ``text``'s language (normalised, lower-case text)."""
    return wide_reason(text) is not None


def reads_wide(text: str, cued: bool) -> bool:
    """True when the semantic detector asks e5 instead of USE for ``text``; ``cued``:
    the lexicon found a cue in it (see the module's docstring)."""
    reason = wide_reason(text)
    return reason in ("script", "letters") or (reason == "words" and cued)
