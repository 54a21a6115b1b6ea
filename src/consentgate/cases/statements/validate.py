"""The Transparency Database's rules, checked before a statement leaves ConsentGate.

Why our own check: the database refuses a whole batch of 100 for one bad statement
(422, errors keyed ``statement_<index>``), and it does not look for personal data at
all, which the provider must keep out (DSA Art. 24(5)). So every statement is checked
on its JSON body, exactly what is sent, against the rules of the database's
``StatementStoreRequest`` (commit ``69e80a0b``) and what its documentation requires on
top (a territorial scope; end dates and the content date not after the application
date; a text for ``KEYWORD_OTHER``), and every free-text field against
``personal.find_personal_data``.

A fault names its field (``Fault.field``) so a person knows what to fix. Checks are
plain Python over precomputed sets and compiled patterns: this runs on every statement
of every export (``bench/sor.py`` measures it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from consentgate.cases.statements.personal import find_personal_data
from consentgate.cases.statements.tdb import (
    LANGUAGES,
    PUID_PATTERN,
    TERRITORIES,
    AccountType,
    AutomatedDecision,
    ContentType,
    DecisionAccount,
    DecisionGround,
    DecisionMonetary,
    DecisionProvision,
    DecisionVisibility,
    Keyword,
    SourceType,
    StatementCategory,
    YesNo,
)


@dataclass(frozen=True)
class Fault:
    """One broken rule: the field and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _values(enum: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(member.value) for member in enum)


VISIBILITY = _values(DecisionVisibility)
MONETARY = _values(DecisionMonetary)
PROVISION = _values(DecisionProvision)
ACCOUNT = _values(DecisionAccount)
ACCOUNT_TYPES = _values(AccountType)
GROUNDS = _values(DecisionGround)
YES_NO = _values(YesNo)
CONTENT_TYPES = _values(ContentType)
CATEGORIES = _values(StatementCategory)
KEYWORDS = _values(Keyword)
SOURCES = _values(SourceType)
AUTOMATED = _values(AutomatedDecision)
COUNTRIES = frozenset(TERRITORIES)
PUID = re.compile(PUID_PATTERN)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ILLEGAL = DecisionGround.ILLEGAL_CONTENT.value
INCOMPATIBLE = DecisionGround.INCOMPATIBLE_CONTENT.value
EARLIEST_CONTENT, EARLIEST_APPLICATION, LATEST = (
    date(2000, 1, 1),
    date(2020, 1, 1),
    date(2038, 1, 1),
)
END_DATES = (
    "end_date_visibility_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_account_restriction",
)
FREE_TEXT = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "category_specification_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
}
"""Free-text fields and their longest length (characters); none may hold personal data."""
ENUMS = {
    "decision_monetary": MONETARY,
    "decision_provision": PROVISION,
    "decision_account": ACCOUNT,
    "account_type": ACCOUNT_TYPES,
    "decision_ground": GROUNDS,
    "incompatible_content_illegal": YES_NO,
    "category": CATEGORIES,
    "source_type": SOURCES,
    "automated_detection": YES_NO,
    "automated_decision": AUTOMATED,
}
LISTS = {
    "decision_visibility": VISIBILITY,
    "content_type": CONTENT_TYPES,
    "category_addition": CATEGORIES,
    "category_specification": KEYWORDS,
    "territorial_scope": COUNTRIES,
}
REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "territorial_scope",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)
KNOWN = frozenset(
    (
        *FREE_TEXT,
        *ENUMS,
        *LISTS,
        *REQUIRED,
        *END_DATES,
        "decision_ground_reference_url",
        "content_language",
        "content_id",
    )
)
RESTRICTIONS = (
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
)
ONLY_WITH = (
    ("decision_visibility_other", "decision_visibility", DecisionVisibility.OTHER.value),
    ("decision_monetary_other", "decision_monetary", DecisionMonetary.OTHER.value),
    ("content_type_other", "content_type", ContentType.OTHER.value),
    ("category_specification_other", "category_specification", Keyword.OTHER.value),
)
"""A ``*_other`` text is required with its ``*_OTHER`` value and refused without it."""
BY_GROUND = {
    ILLEGAL: ("illegal_content_legal_ground", "illegal_content_explanation"),
    INCOMPATIBLE: ("incompatible_content_ground", "incompatible_content_explanation"),
}


def validate(body: Mapping[str, Any]) -> list[Fault]:
    """Every rule ``body`` breaks (empty when it is a statement the database takes)."""
    faults: list[Fault] = []
    add = faults.append
    for name in body.keys() - KNOWN:
        add(Fault(str(name), "not a field of the Transparency Database"))
    given = {k: v for k, v in body.items() if v is not None}
    for name in REQUIRED:
        if name not in given:
            add(Fault(name, "required"))
    if given.keys().isdisjoint(RESTRICTIONS):
        add(Fault("decision_visibility", "required unless another restriction is given"))
    for name, allowed in ENUMS.items():
        if name in given:
            value = given[name]
            if not isinstance(value, str) or value not in allowed:
                add(Fault(name, f"{value!r} is not one of the accepted values"))
    for name, allowed in LISTS.items():
        if name in given:
            _list(given, name, allowed, add)
    for name, longest in FREE_TEXT.items():
        if name in given:
            _text(given, name, longest, add)
    _by_ground(given, add)
    for text, listed, value in ONLY_WITH:
        _only_with(given, text, listed, value, add)
    if "source_identity" in given and given.get("source_type") == SourceType.VOLUNTARY.value:
        add(Fault("source_identity", "not given for SOURCE_VOLUNTARY"))
    _dates(given, add)
    _others(given, add)
    return faults


def _list(given: dict[str, Any], name: str, allowed: frozenset[str], add: Any) -> None:
    value = given.get(name)
    if value is None:
        return
    if not isinstance(value, list | tuple) or not value:
        add(Fault(name, "must be a non-empty list"))
        return
    try:
        if allowed.issuperset(value) and len(set(value)) == len(value):
            return  # the usual case, in C
    except TypeError:  # an item that cannot be hashed (a list, an object)
        pass
    bad = [v for v in value if not isinstance(v, str) or v not in allowed]
    if bad:
        add(Fault(name, f"{bad[0]!r} is not one of the accepted values"))
    elif len(set(value)) != len(value):
        add(Fault(name, "lists a value twice"))


def _text(given: dict[str, Any], name: str, longest: int, add: Any) -> None:
    value = given.get(name)
    if value is None:
        return
    if not isinstance(value, str):
        add(Fault(name, "must be text"))
    elif not value.strip():
        add(Fault(name, "is blank"))
    elif len(value) > longest:
        add(Fault(name, f"is {len(value)} characters long; at most {longest}"))
    elif (found := find_personal_data(value)) is not None:
        add(Fault(name, f"contains personal data: {found.kind}"))


def _by_ground(given: dict[str, Any], add: Any) -> None:
    ground = given.get("decision_ground")
    for key, fields in BY_GROUND.items():
        for name in fields:
            if ground == key and name not in given:
                add(Fault(name, f"required with {key}"))
            elif ground != key and ground in GROUNDS and name in given:
                add(Fault(name, f"only given with {key}"))
    if "incompatible_content_illegal" in given and ground == ILLEGAL:
        add(Fault("incompatible_content_illegal", f"only given with {INCOMPATIBLE}"))


def _only_with(given: dict[str, Any], text: str, listed: str, value: str, add: Any) -> None:
    chosen = given.get(listed)
    has = chosen == value or (isinstance(chosen, list | tuple) and value in chosen)
    if has and text not in given:
        add(Fault(text, f"required with {value}"))
    elif not has and text in given:
        add(Fault(text, f"only given with {value}"))


def _day(given: dict[str, Any], name: str, add: Any) -> date | None:
    value = given.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not DAY.match(value):
        add(Fault(name, "must be a date written YYYY-MM-DD"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        add(Fault(name, f"{value!r} is not a date"))
        return None


def _dates(given: dict[str, Any], add: Any) -> None:
    content = _day(given, "content_date", add)
    applied = _day(given, "application_date", add)
    if content is not None and not EARLIEST_CONTENT <= content <= LATEST:
        add(Fault("content_date", "must lie between 2000-01-01 and 2038-01-01"))
    if applied is not None and not EARLIEST_APPLICATION <= applied <= LATEST:
        add(Fault("application_date", "must lie between 2020-01-01 and 2038-01-01"))
    if content is not None and applied is not None and content > applied:
        add(Fault("content_date", "comes after the application_date"))
    for name in END_DATES:
        end = _day(given, name, add)
        if end is not None and end > LATEST:
            add(Fault(name, "must not be after 2038-01-01"))
        elif end is not None and applied is not None and end < applied:
            add(Fault(name, "comes before the application_date"))


def _others(given: dict[str, Any], add: Any) -> None:
    puid = given.get("puid")
    if puid is not None and (not isinstance(puid, str) or len(puid) > 500 or not PUID.match(puid)):
        add(Fault("puid", "must be 1 to 500 letters, digits, '-' or '_'"))
    url = given.get("decision_ground_reference_url")
    if url is not None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            add(Fault("decision_ground_reference_url", "must be an http(s) URL"))
        elif len(url) > 500:
            add(Fault("decision_ground_reference_url", "is longer than 500 characters"))
    language = given.get("content_language")
    if language is not None and language not in LANGUAGES:
        add(Fault("content_language", f"{language!r} is not an upper-case ISO 639-1 code"))
    content_id = given.get("content_id")
    if content_id is not None and not (
        isinstance(content_id, dict)
        and set(content_id) == {"EAN-13"}
        and isinstance(content_id["EAN-13"], str)
        and re.fullmatch(r"\d{13}", content_id["EAN-13"])
    ):
        add(Fault("content_id", 'must be {"EAN-13": "<13 digits>"}'))


class StatementChecker:
    """Checks statements one after another, as an export sends them: each by ``validate``,
    and every ``puid`` unique among them (the database never takes one twice)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def check(self, body: Mapping[str, Any]) -> list[Fault]:
        faults = validate(body)
        puid = body.get("puid")
        if isinstance(puid, str):
            if puid in self.seen:
                faults.append(Fault("puid", "is not unique: an earlier statement has it"))
            self.seen.add(puid)
        return faults
