"""What a console password may be, and how it is checked (argon2id)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from consentgate.errors import BadInput
from consentgate.service.passwords import MAX_LENGTH, MIN_LENGTH, Passwords, check_new_password
from tests.console.fakes import CHEAP


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", f"at least {MIN_LENGTH}"),
        ("a" * (MIN_LENGTH - 1), f"at least {MIN_LENGTH}"),
        ("a" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
        ("a long password\x00here", "control character"),
        ("a long password\nsecond line", "control character"),
        ("a long password \udcff here", "surrogate"),
        ("Alexandra Longname", "the user's name"),
        ("ALEXANDRA  LONGNAME", "the user's name"),
    ],
)
def test_when_a_new_password_is_weak_or_malformed_then_bad_input_says_why(
    password: str, why: str
) -> None:
    with pytest.raises(BadInput, match=why) as caught:
        check_new_password(password, "Alexandra Longname")
    assert caught.value.field == "password"


@pytest.mark.parametrize(
    "password",
    ["a" * MIN_LENGTH, "correct horse battery staple", "пароль достаточно длинный", "🙂" * 15],
)
def test_when_a_new_password_is_long_enough_then_it_is_accepted(password: str) -> None:
    assert check_new_password(password, "alice") == password


def test_when_a_password_is_hashed_then_only_the_same_keystrokes_verify() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapl")
    assert not passwords.verify(stored, "Correct horse battery staple")
    assert passwords.hash("correct horse battery staple") != stored  # a salt per hash


def test_when_the_password_is_typed_in_another_unicode_form_then_it_verifies() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓｗｏｒｄ")  # NFKC: full width is ASCII
    assert passwords.verify(stored, "full width password")


@pytest.mark.parametrize("stored", [None, "", "not a hash", "$argon2id$v=19$broken"])
def test_when_there_is_no_usable_hash_then_nothing_verifies(stored: str | None) -> None:
    assert not Passwords(CHEAP).verify(stored, "not a password of anyone")


def test_when_a_hash_has_older_parameters_then_it_needs_a_rehash() -> None:
    old = Passwords(CHEAP).hash("correct horse battery staple")
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, "correct horse battery staple")
    assert not Passwords(CHEAP).needs_rehash(old)
