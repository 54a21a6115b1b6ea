"""An encoder reads at most its token limit, and its tokeniser never sees more than a bound."""

from __future__ import annotations

import pytest

from consentgate.text.token_budget import CHARS_PER_TOKEN, head_within


class Counter:
    """A tokeniser stand-in: ``per_char`` tokens a character, plus two specials."""

    def __init__(self, per_char: float) -> None:
        self.per_char = per_char
        self.seen: list[int] = []

    def __call__(self, text: str) -> int:
        self.seen.append(len(text))
        return 2 + round(len(text) * self.per_char)


@pytest.mark.parametrize(
    ("text", "per_char", "max_tokens", "expected_len"),
    [
        ("short prompt", 0.25, 512, 12),  # well within: read whole
        ("x" * 20_000, 0.25, 512, 2040),  # ordinary text: about max_tokens * 4 characters
        ("x" * 20_000, 1.0, 512, 510),  # one token a character (CJK): 510 + 2 specials
        ("x" * 20_000, 3.0, 512, 170),  # more tokens than characters
        ("x" * 600, 1.0, 512, 510),
        ("", 1.0, 512, 0),
    ],
)
def test_when_text_is_long_then_the_head_is_within_the_token_limit(
    text: str, per_char: float, max_tokens: int, expected_len: int
) -> None:
    count = Counter(per_char)
    head = head_within(text, max_tokens, count)
    assert text.startswith(head)
    assert len(head) == pytest.approx(expected_len, abs=2)
    assert count(head) <= max_tokens


def test_when_text_is_any_length_then_the_tokeniser_sees_a_bounded_part() -> None:
    count = Counter(1.0)
    head_within("x" * 1_000_000, 512, count)
    assert max(count.seen) <= 512 * CHARS_PER_TOKEN
    assert len(count.seen) <= 4


def test_when_counts_do_not_fall_in_proportion_then_the_cut_still_ends() -> None:
    """A tokeniser whose count barely falls with length still gets a head within the limit."""
    head = head_within("x" * 5000, 10, lambda text: 11 if len(text) > 3 else 1)
    assert len(head) <= 3
