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
from functools import cache, lru_cache
from importlib import resources

LOCAL = re.compile(r"[\w.+-]{1,64}\Z")
DOMAIN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63})+")
HANDLE = re.compile(r"[A-Za-z0-9_]{2,}")
REDDIT = re.compile(r"(?<![\w/])u/[A-Za-z0-9_-]{3,}")
NUMBER = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
"""A run of digits with the separators phone numbers (and IP addresses) are written with."""
IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
DATES = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}:\d{2}(?::\d{2})?"
)
"""Dates and times, which are not phone numbers however many digits they have."""
_DIGIT = re.compile(r"\d")
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


_CAPITAL = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]*")
_NEXT_CAPITAL = re.compile(r" [A-ZÀ-ÖØ-Þ][a-zß-ÿ'’-]")
_TITLED = re.compile(r"\.? +([A-ZÀ-ÖØ-Þ][\w'’-]*)")


@lru_cache(maxsize=4096)
def find_personal_data(text: str) -> PersonalData | None:
    """The first personal data in ``text``, or None.

    Cached: statements repeat their standard sentences (grounds, explanations), so most
    texts have been read before. Each pattern runs only on text that can hold it (an
    ``@`` for an address or a handle, a digit for a number).
    """
    at = text.find("@")
    while at >= 0:
        found = _at(text, at)
        if found is not None:
            return found
        at = text.find("@", at + 1)
    if "u/" in text and (reddit := REDDIT.search(text)) is not None:
        return PersonalData(KINDS["handle"], reddit.group())
    if _DIGIT.search(text):
        for run in NUMBER.finditer(text):
            number = _number(text, run)
            if number is not None:
                return number
    return _name_in(text)


def _at(text: str, at: int) -> PersonalData | None:
    """An e-mail address or an ``@handle`` around the ``@`` at ``at``, or None.

    Read from the ``@`` outwards, within an address's longest parts (64 characters
    before, 255 after), so text full of ``@``s or of long words costs linear time.
    """
    domain = DOMAIN.match(text[at + 1 : at + 256])
    local = LOCAL.search(text[max(0, at - 64) : at])
    if local is not None and domain is not None:
        return PersonalData(KINDS["email"], local.group() + "@" + domain.group())
    before = text[at - 1 : at]
    handle = HANDLE.match(text, at + 1)
    if handle is not None and not (before.isalnum() or before in "_@."):
        return PersonalData(KINDS["handle"], "@" + handle.group())
    return None


def _number(text: str, run: re.Match[str]) -> PersonalData | None:
    """An IP address or a phone number in ``run``, or None (a date, a count, a reference)."""
    before = text[run.start() - 1 : run.start()]
    after = text[run.end() : run.end() + 1]
    if (before and (before.isalnum() or before in "_/.")) or (
        after and (after.isalnum() or after in "_/")
    ):
        return None  # part of a word, a path or a longer reference
    value = run.group()
    if IP.fullmatch(value):
        return PersonalData(KINDS["ip"], value)
    digits = sum(c.isdigit() for c in DATES.sub("", value))
    return PersonalData(KINDS["phone"], value) if 7 <= digits <= 15 else None


def _name_in(text: str) -> PersonalData | None:
    """A capitalised given name, a capitalised word after a title, or an ambiguous given
    name before another capitalised word; all-capital words are never names."""
    plain, ambiguous = given_names()
    for found in _CAPITAL.finditer(text):
        word = found.group()
        if word.isupper() and len(word) > 1:
            continue
        key = word.lower()
        if key in TITLES:
            titled = _TITLED.match(text, found.end())
            if titled and not titled.group(1).isupper():
                return PersonalData(KINDS["name"], f"{word} {titled.group(1)}")
        elif key in plain:
            return PersonalData(KINDS["name"], word)
        elif key in ambiguous and _NEXT_CAPITAL.match(text, found.end()):
            follower = _CAPITAL.match(text, found.end() + 1)
            return PersonalData(KINDS["name"], f"{word} {follower.group() if follower else ''}")
    return None
