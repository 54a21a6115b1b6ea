"""The validator refuses every kind of fault a Transparency Database statement can have,
naming the field (EU-8, EU-9); a valid statement of each harm passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from consentgate.cases.statements.records import Harm
from consentgate.cases.statements.validate import StatementChecker, validate
from tests.statements.samples import body

Body = dict[str, Any]


def _set(**fields: Any) -> Callable[[Body], None]:
    return lambda b: b.update(fields)


def _drop(*names: str) -> Callable[[Body], None]:
    def drop(b: Body) -> None:
        for name in names:
            b.pop(name, None)

    return drop


def _shifted(field: str, days: int) -> Callable[[Body], None]:
    """``field`` set ``days`` after the body's application date (before, when negative)."""

    def shift(b: Body) -> None:
        b[field] = (date.fromisoformat(b["application_date"]) + timedelta(days=days)).isoformat()

    return shift


def _incompatible(b: Body) -> None:
    b.pop("illegal_content_legal_ground")
    b.pop("illegal_content_explanation")
    b["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"


BROKEN: list[tuple[str, Callable[[Body], None], str]] = [
    ("an unknown field", _set(platform_name="x"), "platform_name"),
    ("no decision ground", _drop("decision_ground"), "decision_ground"),
    ("no facts", _drop("decision_facts"), "decision_facts"),
    ("no puid", _drop("puid"), "puid"),
    ("no content type", _drop("content_type"), "content_type"),
    ("no territorial scope", _drop("territorial_scope"), "territorial_scope"),
    ("no restriction at all", _drop("decision_visibility"), "decision_visibility"),
    ("a ground not in the enum", _set(decision_ground="ILLEGAL"), "decision_ground"),
    ("a category not in the enum", _set(category="STATEMENT_CATEGORY_PORN"), "category"),
    ("a v1 category", _set(category="STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR"), "category"),
    (
        "a retired keyword",
        _set(category_specification=["KEYWORD_DANGEROUS_TOYS"]),
        "category_specification",
    ),
    ("a visibility not in the enum", _set(decision_visibility=["REMOVED"]), "decision_visibility"),
    ("an empty content type list", _set(content_type=[]), "content_type"),
    ("a value listed twice", _set(content_type=["CONTENT_TYPE_IMAGE"] * 2), "content_type"),
    ("a lower-case Yes", _set(automated_detection="yes"), "automated_detection"),
    (
        "an automated decision not in the enum",
        _set(automated_decision="FULLY"),
        "automated_decision",
    ),
    ("a source not in the enum", _set(source_type="SOURCE_NOTICE"), "source_type"),
    ("Greece as EL", _set(territorial_scope=["EL"]), "territorial_scope"),
    ("the United Kingdom", _set(territorial_scope=["UK"]), "territorial_scope"),
    ("a lower-case language", _set(content_language="en"), "content_language"),
    (
        "OTHER visibility without its text",
        _set(decision_visibility=["DECISION_VISIBILITY_OTHER"]),
        "decision_visibility_other",
    ),
    (
        "a visibility text without OTHER",
        _set(decision_visibility_other="shadow-hidden"),
        "decision_visibility_other",
    ),
    (
        "OTHER content type without its text",
        _set(content_type=["CONTENT_TYPE_OTHER"]),
        "content_type_other",
    ),
    (
        "KEYWORD_OTHER without its text",
        _set(category_specification=["KEYWORD_OTHER"]),
        "category_specification_other",
    ),
    (
        "illegal content without its legal ground",
        _drop("illegal_content_legal_ground"),
        "illegal_content_legal_ground",
    ),
    (
        "illegal content without its explanation",
        _drop("illegal_content_explanation"),
        "illegal_content_explanation",
    ),
    (
        "illegal content with an incompatibility ground",
        _set(incompatible_content_ground="ToS 3"),
        "incompatible_content_ground",
    ),
    ("incompatible content without its ground", _incompatible, "incompatible_content_ground"),
    (
        "a source identity for an own initiative",
        _set(source_type="SOURCE_VOLUNTARY", source_identity="a hotline"),
        "source_identity",
    ),
    ("facts over 5,000 characters", _set(decision_facts="x" * 5001), "decision_facts"),
    (
        "a legal ground over 500 characters",
        _set(illegal_content_legal_ground="x" * 501),
        "illegal_content_legal_ground",
    ),
    ("blank facts", _set(decision_facts="   "), "decision_facts"),
    ("facts that are not text", _set(decision_facts=5), "decision_facts"),
    ("a puid with a slash", _set(puid="sor/1"), "puid"),
    ("a puid with a space", _set(puid="sor 1"), "puid"),
    ("a puid over 500 characters", _set(puid="a" * 501), "puid"),
    ("a date written day first", _set(application_date="01/12/2026"), "application_date"),
    ("a date that does not exist", _set(content_date="2026-02-30"), "content_date"),
    ("content dated before 2000", _set(content_date="1999-12-31"), "content_date"),
    ("an application after 2038", _set(application_date="2038-01-02"), "application_date"),
    ("content dated after the decision", _shifted("content_date", 1), "content_date"),
    (
        "a restriction ending before it applies",
        _shifted("end_date_visibility_restriction", -1),
        "end_date_visibility_restriction",
    ),
    (
        "a reference that is not a URL",
        _set(decision_ground_reference_url="eur-lex"),
        "decision_ground_reference_url",
    ),
    ("a content id other than EAN-13", _set(content_id={"ISBN": "123"}), "content_id"),
    (
        "an e-mail address in the facts",
        _set(decision_facts="Reported by jo.doe@example.org."),
        "decision_facts",
    ),
    (
        "a phone number in the facts",
        _set(decision_facts="Call +44 20 7946 0958 to confirm."),
        "decision_facts",
    ),
    (
        "a handle in the facts",
        _set(decision_facts="Posted by @jdoe_1987 on the feed."),
        "decision_facts",
    ),
    (
        "a name in the facts",
        _set(decision_facts="The person shown, Alice, asked for removal."),
        "decision_facts",
    ),
    (
        "a titled name in the explanation",
        _set(illegal_content_explanation="Ms Okonkwo did not consent."),
        "illegal_content_explanation",
    ),
]


@pytest.mark.parametrize("harm", list(Harm))
def test_EU_8_EU_9_when_a_statement_of_each_harm_is_built_then_it_validates(harm: Harm) -> None:
    assert validate(body(harm)) == []


@pytest.mark.parametrize(("fault", "breaks", "field"), BROKEN, ids=[b[0] for b in BROKEN])
def test_EU_8_EU_9_when_a_statement_is_broken_then_the_fault_names_its_field(
    fault: str, breaks: Callable[[Body], None], field: str
) -> None:
    broken = body()
    breaks(broken)
    faults = validate(broken)
    assert field in [f.field for f in faults], (fault, faults)


def test_EU_9_when_two_statements_share_a_puid_then_the_second_is_refused() -> None:
    checker = StatementChecker()
    assert checker.check(body(n=1)) == []
    assert checker.check(body(n=2)) == []
    faults = checker.check(body(n=1))
    assert [(f.field, f.message) for f in faults] == [
        ("puid", "is not unique: an earlier statement has it")
    ]


def test_EU_8_when_the_legal_ground_is_missing_then_the_message_says_what_requires_it() -> None:
    broken = body()
    del broken["illegal_content_legal_ground"]
    assert [str(f) for f in validate(broken)] == [
        "illegal_content_legal_ground: required with DECISION_GROUND_ILLEGAL_CONTENT"
    ]


def test_when_a_fault_holds_personal_data_then_the_message_does_not_repeat_it() -> None:
    broken = body()
    broken["decision_facts"] = "Reported by jo.doe@example.org."
    (fault,) = validate(broken)
    assert fault.message == "contains personal data: an e-mail address"
    assert "jo.doe" not in str(fault)
