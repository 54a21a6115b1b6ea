"""Request bodies of the hashing, matching and bank routes (responses are bank records).

Their strings and integers use the types the bank service checks with
(``banks.records``, ``consentgate.fields``), so bad input is a 422 naming the
field before a route runs, and the service refuses the same input from the CLI.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from consentgate.api.schemas import Base64Image
from consentgate.banks.records import (
    BankSpec,
    Description,
    Note,
    Quality,
    ShortLine,
    StatusReason,
    Threshold,
)

HEX_PDQ = r"^[0-9A-Fa-f]{64}$"
HEX_MD5 = r"^[0-9A-Fa-f]{32}$"

PdqHex = Annotated[str, Field(pattern=HEX_PDQ)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HashBody(Strict):
    """``POST /v1/hash``: an image to hash (it is not kept)."""

    image: Base64Image
    dihedral: bool = Field(False, description="also the 7 rotated and mirrored PDQ hashes")


class MatchBody(Strict):
    """``POST /v1/match``: hashes, or an image to hash, looked up in every enabled bank."""

    pdq: list[PdqHex] | None = Field(
        None, max_length=8, description="PDQ hashes (64 hex digits), e.g. an image's 8 dihedral"
    )
    quality: Quality | None = Field(None, description="PDQ quality, when known")
    md5: str | None = Field(None, pattern=HEX_MD5)
    image: Base64Image | None = Field(None, description="an image to hash and match instead")


class NewBank(BankSpec):
    """``POST /v1/banks``: exactly what the bank service checks a new bank against."""


class BankChanges(Strict):
    enabled: bool | None = None
    threshold: Threshold | None = None
    description: Description | None = None


class NewEntryBody(Strict):
    """One entry: hashes only, or an image hashed here and then discarded."""

    pdq: str | None = Field(None, pattern=HEX_PDQ)
    quality: Quality | None = None
    md5: str | None = Field(None, pattern=HEX_MD5)
    image: Base64Image | None = None
    external_id: ShortLine | None = None
    source: ShortLine = ""
    note: Note = ""
    retro: bool = Field(True, description="match already-screened content against it")


class StatusChange(Strict):
    reason: StatusReason = "withdrawn"
    delete: bool = Field(False, description="also wipe the hashes from the store")


class Reinstate(Strict):
    reason: StatusReason = "reviewed"
