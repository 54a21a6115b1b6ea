"""Stated ages under 18 ("12 year old", "12yo", "12 años", "12歳", "12살") as minor evidence.

Why a pattern and not words: ages are numbers, and a number only means a minor
next to an age word of some language. Runs on the canonical reading, where
digits are still digits (the leetspeak reading turns "12yo" into "i2yo"); a zero
typed for the "o" ("13y0", "13 year 0ld") is read as the letter here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = (
    r"(?:years?|yrs?|yr)[\s-]*[o0]ld|y[o0]|y/[o0]|y\.[o0]\.?|y-[o0]|años|anos|ans|jahre?n?(?:\s*alt)?"
    r"|jährig\w*|jaehrig\w*|anni|лет|года?|летн\w*|سنة|سنوات|عام|أعوام|saal|sal|varsh|baras"
    r"|歳|才|岁|歲|살|세|yaş\w*|yas\w*|lat|letni\w*|latek|latk\w*|jaar|tahun"
    r"|років|роки|рік|år|åring\w*|aring\w*|tuổi|tuoi|χρονών|χρονων|ετών|ετων|χρονο\w*"
)
_NUMBER = r"(\d{1,2})"
_AGE = re.compile(rf"(?<![\d.,]){_NUMBER}\s*-?\s*(?:{_UNITS})(?![a-zа-я])", re.IGNORECASE)
_AGED = re.compile(
    rf"\b(?:aged?|age of|âgée? de|edad de|im alter von|idade de|età di|возраст)\s+{_NUMBER}\b"
)
_GRADE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|\.)?[\s-]*(?:grade(?:r|rs)?|class|std|standard|klasse)\b"
    r"|\b(?:grade|class|std|standard|klasse|classe|sınıf|sinif|klasa)\s*(\d{1,2})\b"
    r"|\b(?:in|from|of)\s+year\s+(\d{1,2})\b"
    r"|\byear\s+(\d{1,2})\s+(?:girl|boy|student|pupil|class|kid|uniform)s?\b"
)
# "a girl of 12", "una niña de 12", "my niece (9)", "my daughter, 11,"
_CHILD_WORDS = (
    r"girl|boy|kid|child|daughter|son|niece|nephew|sister|brother|stepdaughter|stepson|cousin"
    r"|student|pupil|meisje|jongen|niña|nina|niño|nino|chica|fille|garçon|garcon|gamine|mädchen"
    r"|madchen|junge|menina|menino|garota|ragazza|ragazzina|bambina|bambino|dziewczynka"
    r"|chłopiec|chlopiec|kız|kiz|çocuk|cocuk|anak"
)
_CHILD_OF = re.compile(
    rf"\b(?:{_CHILD_WORDS})s?\s+(?:of|van|de|von|di|da|z)\s+(\d{{1,2}})\b(?!\s*(?:%|cm|kg|m\b|:))"
    rf"|\b(?:{_CHILD_WORDS})s?\s*(?:\(\s*(\d{{1,2}})\s*\)|,\s*(\d{{1,2}})\s*,)"
)
# "she's 12", "he is only 15" (not "she's 5'4", "she is 5 ft", "he's 2 meters")
_STATED = re.compile(
    r"\b(?:she|he)(?:'s| is| was)\s+(?:only\s+|just\s+|barely\s+|about\s+|around\s+)?"
    r"(\d{1,2})\b(?![.,]\d|\s*(?:'|\"|ft|feet|foot|cm|m\b|meters?|metres?|kg|kgs|lbs?|pounds"
    r"|inch|inches|in\b|%|:|st\b|nd\b|rd\b|th\b|times|x\b|am\b|pm\b|minutes?|hours?|days?"
    r"|weeks?|months?|km|miles|stone|o'clock|percent))"
)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
}  # fmt: skip
_WORD_AGE = re.compile(
    rf"\b({'|'.join(_WORDS)})[\s-]*(?:years?|yrs?|yo)[\s-]*old\b|\b({'|'.join(_WORDS)})[\s-]*yo\b"
)
_CJK_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DIGIT = re.compile(r"\d")
_CJK_AGE = re.compile(r"(十?[一二三四五六七八九]|十)\s*(?:歳|才|岁|歲)")


@dataclass(frozen=True, slots=True)
class AgeMention:
    age: int
    span: str


def _cjk_value(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _CJK_NUMERALS[numeral[1]]
    return _CJK_NUMERALS[numeral]


def minor_ages(text: str) -> list[AgeMention]:
    """Every stated age from 1 to 17 in ``text``."""
    found: list[AgeMention] = []
    if _DIGIT.search(text) is None:  # most prompts: only ages spelled out in words
        return _spelled_ages(text, found)
    for pattern in (_AGE, _AGED):
        for m in pattern.finditer(text):
            found.append(AgeMention(int(m.group(1)), m.group()))
    for m in _GRADE.finditer(text):
        if m.group(3) or m.group(4):  # UK school years start at 4-5 years old
            year = int(m.group(3) or m.group(4))
            if year <= 13:
                found.append(AgeMention(year + 4, m.group()))
            continue
        grade = int(m.group(1) or m.group(2))
        if grade <= 12:
            found.append(AgeMention(grade + 5, m.group()))
    for pattern in (_CHILD_OF, _STATED):
        for m in pattern.finditer(text):
            number = next(g for g in m.groups() if g)
            found.append(AgeMention(int(number), m.group()))
    return _spelled_ages(text, found)


def _spelled_ages(text: str, found: list[AgeMention]) -> list[AgeMention]:
    for m in _WORD_AGE.finditer(text):
        found.append(AgeMention(_WORDS[m.group(1) or m.group(2)], m.group()))
    for m in _CJK_AGE.finditer(text):
        found.append(AgeMention(_cjk_value(m.group(1)), m.group()))
    return [a for a in found if 1 <= a.age <= 17]
