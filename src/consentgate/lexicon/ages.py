"""Stated ages under 18 ("12 year old", "12yo", "12 años", "12歳", "12살") as minor evidence.

Why a pattern and not words: ages are numbers, and a number only means a minor
next to an age word of some language. Runs on the canonical reading, where
digits are still digits (the leetspeak reading turns "12yo" into "i2yo").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = (
    r"(?:years?|yrs?|yr)[\s-]*old|yo|y/o|y\.o\.?|años|anos|ans|jahre?n?(?:\s*alt)?"
    r"|jährig\w*|jaehrig\w*|anni|лет|года?|летн\w*|سنة|سنوات|عام|أعوام|saal|sal|varsh|baras"
    r"|歳|才|岁|歲|살|세|yaş\w*|yas\w*|lat|letni\w*|latek|jaar|tahun"
)
_NUMBER = r"(\d{1,2})"
_AGE = re.compile(rf"(?<![\d.,]){_NUMBER}\s*-?\s*(?:{_UNITS})(?![a-zа-я])", re.IGNORECASE)
_AGED = re.compile(
    rf"\b(?:aged?|age of|âgée? de|edad de|im alter von|idade de|età di|возраст)\s+{_NUMBER}\b"
)
_GRADE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[\s-]*grade(?:r|rs)?\b|\bgrade\s+(\d{1,2})\b")
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
}  # fmt: skip
_WORD_AGE = re.compile(
    rf"\b({'|'.join(_WORDS)})[\s-]*(?:years?|yrs?|yo)[\s-]*old\b|\b({'|'.join(_WORDS)})[\s-]*yo\b"
)
_CJK_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
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
    for pattern in (_AGE, _AGED):
        for m in pattern.finditer(text):
            found.append(AgeMention(int(m.group(1)), m.group()))
    for m in _GRADE.finditer(text):
        grade = int(m.group(1) or m.group(2))
        if grade <= 12:
            found.append(AgeMention(grade + 5, m.group()))
    for m in _WORD_AGE.finditer(text):
        found.append(AgeMention(_WORDS[m.group(1) or m.group(2)], m.group()))
    for m in _CJK_AGE.finditer(text):
        found.append(AgeMention(_cjk_value(m.group(1)), m.group()))
    return [a for a in found if 1 <= a.age <= 17]
