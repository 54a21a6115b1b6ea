"""Finds personal data in a statement's free text: e-mail addresses, phone numbers,
handles, IP addresses and people's names.

Why: the Transparency Database is public, and the provider must make sure what it
sends holds no personal data (DSA Art. 24(5)); its free-text fields (the facts, the
grounds, the explanations) are where a reviewer's words end up.

Why these rules and not a word list of everything: a statement is written in legal
and moderation language, full of ordinary capitalised words ("Directive", "Article",
"Member States"), dates and numbered references ("2011/93/EU", "S.I. 2026/268"). So:

- an e-mail address, an ``@handle`` or ``u/handle``, and an IPv4 address are found by
  their shape;
- a phone number is a run of 7 to 15 digits with the separators numbers are written
  with (``+44 20 7946 0958``, ``(030) 1234-5678``), and never a date (``2026-12-01``,
  ``01.12.2026``) or a legal reference (its ``/`` ends the run);
- a name is a capitalised given name from ``data/given_names.txt``, or any capitalised
  word after a title (Mr, Ms, Dr, ...). Given names that are also ordinary words
  (``data/ambiguous_names.txt``: May, Grace, Will, Jordan, ...) count only before another
  capitalised word ("May Lee") or after a title; all-capital words (``TAKE IT DOWN``)
  and lower-case words are never names.

It is a guard, not a guarantee: a surname alone, or a name in a script the lists do
not hold, passes. What it finds, it names (``PersonalData.kind``), so the writer can
be told which field to rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_HANDLE = r"(?<![\w@.])@[A-Za-z0-9_]{2,}|(?<![\w/])u/[A-Za-z0-9_-]{3,}"
_IP = r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])"
_PHONE = r"(?<![\w/.])\+?\(?\d[\d ().-]{5,}\d(?![\w/])"
SHAPES = re.compile(f"(?P<email>{_EMAIL})|(?P<handle>{_HANDLE})|(?P<ip>{_IP})|(?P<phone>{_PHONE})")
DATES = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}:\d{2}(?::\d{2})?"
)
"""Dates and times, blanked before phone numbers are looked for."""

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "madam",
        "mme",
        "mlle",
        "herr",
        "frau",
        "sr",
        "sra",
        "srta",
        "sig",
        "dott",
    ]
)

KINDS = {
    "email": "an e-mail address",
    "handle": "a handle",
    "ip": "an IP address",
    "phone": "a phone number",
    "name": "a person's name",
}


@dataclass(frozen=True)
class PersonalData:
    """What was found: its kind (in words) and the text that looks like it."""

    kind: str
    text: str


def _names(resource: str) -> frozenset[str]:
    text = (
        resources.files("consentgate.cases.statements")
        .joinpath("data", resource)
        .read_text("utf-8")
    )
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """The plain given names and the ones that are also ordinary words."""
    return _names("given_names.txt"), _names("ambiguous_names.txt")


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def find_personal_data(text: str) -> PersonalData | None:
    """The first personal data in ``text``, or None."""
    if any(c.isdigit() or c == "@" or c == "/" for c in text):
        for found in SHAPES.finditer(DATES.sub(_blank, text)):
            kind = found.lastgroup
            assert kind is not None
            if kind != "phone" or 7 <= sum(c.isdigit() for c in found.group()) <= 15:
                return PersonalData(KINDS[kind], found.group())
    return _name_in(text)


def _name_in(text: str) -> PersonalData | None:
    plain, ambiguous = given_names()
    words = [(m.group(), m.end()) for m in _WORD.finditer(text)]
    for n, (word, end) in enumerate(words):
        if not _capitalised(word):
            continue
        key = word.lower()
        after_title = n > 0 and words[n - 1][0].lower() in TITLES
        if after_title and key not in TITLES:
            return PersonalData(KINDS["name"], f"{words[n - 1][0]} {word}")
        if key in plain:
            return PersonalData(KINDS["name"], word)
        if key in ambiguous and n + 1 < len(words):
            follower = words[n + 1][0]
            if _capitalised(follower) and text[end : end + 1] == " ":
                return PersonalData(KINDS["name"], f"{word} {follower}")
    return None
