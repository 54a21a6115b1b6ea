"""The personal-data check: names, e-mails, phone numbers, handles and IP addresses are
found; the ordinary words, dates and legal references of statements are not."""

from __future__ import annotations

import time

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


ADVERSARIAL = {
    "a long word, an @, a long word": lambda n: "a" * (n // 2) + "@" + "b" * (n // 2),
    "only @": lambda n: "@" * n,
    "a@ repeated": lambda n: "a@" * (n // 2),
    "dotted words before an @": lambda n: "a." * (n // 2) + "@",
    "@a. repeated": lambda n: "@a." * (n // 3),
    "digits and separators": lambda n: "1-" * (n // 2) + "x",
    "capitalised words": lambda n: "Ab " * (n // 3),
    "titles": lambda n: "Mr. " * (n // 4),
}


def _cpu(text: str) -> float:
    check = find_personal_data.__wrapped__  # type: ignore[attr-defined]  # no cache
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(5):
            check(text)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_when_a_reason_of_the_longest_length_is_hostile_then_the_check_grows_linearly(
    kind: str,
) -> None:
    """A reason may be 10,000 characters (the decision routes' limit). An e-mail pattern
    searched from every position was quadratic on a long word before an ``@``: the check
    now reads outwards from each ``@`` within an address's longest parts."""
    make = ADVERSARIAL[kind]
    small, large = _cpu(make(2_500)), _cpu(make(10_000))
    assert large <= 8 * max(small, 1e-4), (kind, small, large)  # linear is about 4
