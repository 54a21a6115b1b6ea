"""Console passwords: what one may be, and how it is kept (argon2id).

Why argon2id: a password, unlike an API key, has little entropy, so a stolen
store must cost an attacker real work per guess. argon2id is the memory-hard
hash RFC 9106 recommends; ``argon2-cffi``'s defaults are its second
recommended profile (64 MiB, 3 passes, 4 lanes), and a hash made under older
parameters is re-made at the next good log-in. The PHC string keeps its own
salt and parameters, so one column holds all of it.

What a password may be (NIST SP 800-63B): at least 15 characters (a password
is the only factor here), at most 256, any characters but control characters,
compared after Unicode NFKC so the same keystrokes on two keyboards match; not
the user's own name. Nothing else is imposed: composition rules push people to
``Password1!``, not to stronger passwords.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from consentgate.errors import BadInput
from consentgate.fields import refusal
from consentgate.people import name_key

MIN_LENGTH = 15
MAX_LENGTH = 256


def normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_new_password(password: str, name: str) -> str:
    """``password`` in the form it is hashed, or BadInput (field ``password``) saying why not."""
    password = normalised(password)
    if len(password) < MIN_LENGTH:
        raise BadInput(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise BadInput(f"a password has at most {MAX_LENGTH} characters", field="password")
    why = refusal(password, one_line=True)
    if why is not None:
        raise BadInput(f"the password {why}", field="password")
    if name_key(password) == name_key(name):
        raise BadInput("a password may not be the user's name", field="password")
    return password


class Passwords:
    """Hashes and checks passwords; ``hasher`` is argon2id with RFC 9106's profile by default.

    Tests pass a cheaper ``PasswordHasher`` (fewer passes, less memory): the
    algorithm and every check stay the same.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    @property
    def decoy(self) -> str:
        """Checked against when a name is unknown or has no password, so that a
        wrong name costs the same time as a wrong password."""
        if self._decoy is None:
            self._decoy = self.hasher.hash("not a password of anyone")
        return self._decoy

    def hash(self, password: str) -> str:
        return self.hasher.hash(normalised(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (always False, at the same cost, for None)."""
        try:
            return self.hasher.verify(stored or self.decoy, normalised(password)) and bool(stored)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)
