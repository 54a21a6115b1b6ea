"""Spread-out letters: word breaks marked by an odd separator, and leading articles."""

from __future__ import annotations

import pytest

from consentgate.text.disguise import join_letters
from consentgate.text.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "out"),
    [
        ("n u d e", "nude"),
        ("n.u.d.e", "nude"),
        ("l.a.t.e.x. .o.u.t.f.i.t", "latex outfit"),
        ("s_h_e_e_r_ _t_o_p", "sheer top"),
        ("t-i-n-y- -s-h-o-r-t-s", "tiny shorts"),
        ("l. a. c. y. . b. r. a", "lacy bra"),
        ("o v-e-s-t-i-d-o", "o vestido"),
        ("k.o.b.i.e.t.a w", "kobieta w"),
    ],
)
def test_when_a_separator_differs_from_the_usual_one_then_it_breaks_words(
    raw: str, out: str
) -> None:
    assert join_letters(raw) == out


@pytest.mark.parametrize(
    ("raw", "out"),
    [
        ("in a b i k i n i", "in a bikini"),
        ("u n b i k i n i", "un bikini"),
        ("e i n e n b i k i n i", "einen bikini"),
        ("l a s b r a g a s", "las bragas"),
        ("d e n b u s e n", "den busen"),
        ("w b i k i n i", "w bikini"),
        # too short after the article: left whole
        ("l a b r a", "labra"),
    ],
)
def test_when_a_run_starts_with_an_article_then_the_split_reading_keeps_it_apart(
    raw: str, out: str
) -> None:
    assert join_letters(raw, split_article=True) == out


def test_when_letters_are_evenly_spaced_then_no_word_break_is_invented() -> None:
    assert join_letters("c o r s e t a n d s t o c k i n g s") == "corsetandstockings"


@pytest.mark.parametrize(
    ("raw", "out"),
    [
        ("n u d e _", "nude _"),
        ("_ n u d e", "_ nude"),
        ("a b _", "a b _"),
        ("_ a b", "_ a b"),
        ("n_u_d_e", "nude"),
        ("n _ u _ d _ e", "nude"),
    ],
)
def test_when_an_underscore_borders_a_run_then_it_is_a_separator_not_a_letter(
    raw: str, out: str
) -> None:
    assert join_letters(raw) == out
    normalise(raw)  # used to raise ValueError or IndexError


def test_when_a_run_ends_where_no_space_follows_then_it_ends_at_its_last_spaced_letter() -> None:
    assert join_letters("a b c d.e.f") == "abcd e f"
    assert join_letters("x n u d e.") == "xnud e."
    assert join_letters("n u d e!") == "nud e!"


def test_when_a_long_run_has_no_word_end_then_it_is_left_as_written() -> None:
    dotted = "a. " * 6000
    assert join_letters(dotted) == dotted
    assert join_letters("n u d e " * 2500).startswith("nudenudenude")
