"""The personal-data check: names, e-mails, phone numbers, handles and IP addresses are
found; the ordinary words, dates and legal references of statements are not."""

from __future__ import annotations

import pytest

from consentgate.cases.statements.personal import find_personal_data

FOUND = [
    ("contact jo.doe@example.org for details", "an e-mail address", "jo.doe@example.org"),
    ("call +44 20 7946 0958", "a phone number", "+44 20 7946 0958"),
    ("office (030) 1234-5678", "a phone number", "(030) 1234-5678"),
    ("text 0612345678 tonight", "a phone number", "0612345678"),
    ("tél. 01.23.45.67.89", "a phone number", "01.23.45.67.89"),
    ("posted by @jdoe_1987", "a handle", "@jdoe_1987"),
    ("see u/throwaway_12", "a handle", "u/throwaway_12"),
    ("uploaded from 192.168.1.20", "an IP address", "192.168.1.20"),
    ("Reported by Alice on Monday", "a person's name", "Alice"),
    ("Alice asked for it to come down", "a person's name", "Alice"),
    ("the person shown, Mohammed, says so", "a person's name", "Mohammed"),
    ("Mr Jones sent it", "a person's name", "Mr Jones"),
    ("Dr. Okonkwo confirmed", "a person's name", "Dr Okonkwo"),
    ("May Lee posted it", "a person's name", "May Lee"),
    ("Jordan Peterson is shown", "a person's name", "Jordan Peterson"),
    ("Zoë reported it", None, None),  # not in the list: the check is a guard, not a guarantee
]
ORDINARY = [
    "Directive 2011/93/EU, Article 5, as transposed in the law of each Member State",
    "Regulation (EU) 2024/1385, Art. 5(1)(a) and S.I. 2026/268 reg 8",
    "decided on 2026-12-01 10:00 UTC, uploaded 01.12.2026 at 09:30",
    "In May 2026 the Member States agreed",
    "Will the reviewer check it again?",
    "Grace period of six months for appeals",
    "A removal request under the US TAKE IT DOWN Act",
    "a photo taken at jordan lake in summer",
    "Sofia, Bulgaria is where the server is",
    "rule R2 matched at Hamming distance 4 of 256 bits (score 0.97, threshold 0.80)",
    "intimate image shared without consent, reported by the person shown",
    "the uploader is the person shown",
    "Art. 17(3)(f) DSA: redress",
    "mark it as removed; hope it stays down",
    "12 images, 3 uploads, 1,000,000 screens",
    "https://eur-lex.europa.eu/eli/dir/2024/1385/oj",
]


@pytest.mark.parametrize(("text", "kind", "span"), FOUND, ids=[f[0] for f in FOUND])
def test_when_text_holds_personal_data_then_its_kind_is_named(
    text: str, kind: str | None, span: str | None
) -> None:
    found = find_personal_data(text)
    if kind is None:
        assert found is None
        return
    assert found is not None
    assert (found.kind, found.text) == (kind, span)


@pytest.mark.parametrize("text", ORDINARY)
def test_when_text_is_ordinary_then_nothing_is_refused(text: str) -> None:
    assert find_personal_data(text) is None
