"""Field types for values that reach the store: text it can keep, integers its columns hold.

Why one module: PostgreSQL refuses a NUL character in any text value and an
integer past its column's range, SQLite refuses integers past 64 bits, and
Python's drivers refuse unpaired surrogates (what undecodable command-line bytes
become). Each of those once surfaced as a 500 in the middle of a write, after
the work was done and before it was recorded. Every request body, query
parameter and record that reaches the store declares its strings and integers
with these types instead, so bad input is refused up front, on both stores, as a
422 (HTTP) or exit status 2 (CLI) that names the field.

Text is refused rather than cleaned: silently dropping characters would change
what was enrolled or recorded. A prompt is the exception (``Prompt``): its
content is what is screened, and control characters in it are a disguise, not
bad input. Refusing them told a client that treats an error as "not blocked" to
go ahead; instead normalisation removes them, the decision names the disguise,
and the copy a store keeps is ``storable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from consentgate.errors import BadInput

INT32_MAX = 2**31 - 1  # the largest value of an INTEGER column
INT64_MAX = 2**63 - 1  # of a BIGINT column, and of SQLite's INTEGER

# Published in the OpenAPI document (ECMA-262 syntax, which Python's re also reads).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"
LINE_PATTERN = r"^[^\u0000-\u001F\u007F]*$"

_TEXT_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_REFUSED = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def refusal(value: str, *, one_line: bool = False) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    found = (_LINE_REFUSED if one_line else _TEXT_REFUSED).search(value)
    if found is None:
        return None
    char, at = found.group(), found.start()
    if "\ud800" <= char <= "\udfff":
        return f"contains an unpaired surrogate (U+{ord(char):04X}) at position {at}"
    return f"contains the control character U+{ord(char):04X} at position {at}"


def _validator(one_line: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        why = refusal(value, one_line=one_line)
        if why is not None:
            raise PydanticCustomError("control_character", why)
        return value

    return check


Text = Annotated[
    str,
    AfterValidator(_validator(one_line=False)),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
"""Free-form text (a note, a reason; a prompt is ``Prompt``): tabs and line breaks are kept;
NUL, other C0 control characters, DEL and unpaired surrogates are refused."""

Line = Annotated[
    str,
    AfterValidator(_validator(one_line=True)),
    Field(json_schema_extra={"pattern": LINE_PATTERN}),
]
"""One line (an id, a source, a name): no control characters at all."""

Prompt = Annotated[str, Field(description="any text: hidden characters are removed, not refused")]
"""A prompt to screen: every character is accepted. Control and format characters
(and unpaired surrogates) are removed by normalisation and reported as the
disguise ``hidden_characters``; ``storable`` makes the kept copy safe to store."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: U+2400 NUL ... U+241F
    return "\u2421" if code == 0x7F else "\ufffd"  # DEL's picture; a surrogate


def storable(text: str) -> str:
    """``text`` as a store may keep it: each control character ``Text`` refuses
    shown as its Unicode control picture (NUL as "␀", ESC as "␛"), each unpaired
    surrogate as U+FFFD. PostgreSQL never sees a NUL, and a reviewer still sees
    where a hidden character was."""
    return _TEXT_REFUSED.sub(_visible, text)


Count32 = Annotated[int, Interval(ge=1, le=INT32_MAX)]
"""A positive count kept in an INTEGER column."""

Id64 = Annotated[int, Interval(ge=1, le=INT64_MAX)]
"""A row id in a BIGINT column."""

After64 = Annotated[int, Interval(ge=0, le=INT64_MAX)]
"""A keyset-pagination cursor: the last BIGINT id seen, 0 for the first page."""

# Each integer type carries both of its bounds. Do not narrow one at the use site
# with Field(ge=..., le=...): pydantic keeps the type's own bound and drops the
# field's. Declare another type here instead.


def as_bad_input(exc: ValidationError, prefix: str = "") -> BadInput:
    """The first pydantic error as BadInput naming its field (``prefix`` nests it)."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "") or None
    message = f"{field}: {err['msg']}" if field else str(err["msg"])
    return BadInput(message, field=field)


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def validated(model: type[M], values: Mapping[str, Any]) -> M:
    """``model`` built from ``values``, or BadInput naming the first bad field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise as_bad_input(exc) from None


def checked(adapter: TypeAdapter[T], value: object, field: str) -> T:
    """``value`` validated as one field, or BadInput naming ``field``."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise as_bad_input(exc, field) from None
