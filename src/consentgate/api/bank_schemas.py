"""Request bodies of the hashing, matching and bank routes (responses are bank records)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from consentgate.api.schemas import Base64Image
from consentgate.banks.records import PDQ_MAX_THRESHOLD, BankKind

HEX_PDQ = r"^[0-9A-Fa-f]{64}$"
HEX_MD5 = r"^[0-9A-Fa-f]{32}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HashBody(Strict):
    """``POST /v1/hash``: an image to hash (it is not kept)."""

    image: Base64Image
    dihedral: bool = Field(False, description="also the 7 rotated and mirrored PDQ hashes")


class MatchBody(Strict):
    """``POST /v1/match``: hashes, or an image to hash, looked up in every enabled bank."""

    pdq: list[str] | None = Field(
        None, max_length=8, description="PDQ hashes (64 hex digits), e.g. an image's 8 dihedral"
    )
    quality: int | None = Field(None, ge=0, le=100, description="PDQ quality, when known")
    md5: str | None = Field(None, pattern=HEX_MD5)
    image: Base64Image | None = Field(None, description="an image to hash and match instead")


class NewBank(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    kind: BankKind
    threshold: int = Field(PDQ_MAX_THRESHOLD, ge=0, le=PDQ_MAX_THRESHOLD)
    enabled: bool = True
    description: str = Field("", max_length=2000)
    flood_max_matches: int | None = Field(None, ge=1)
    flood_window_s: int = Field(60, ge=1, le=86_400)


class BankChanges(Strict):
    enabled: bool | None = None
    threshold: int | None = Field(None, ge=0, le=PDQ_MAX_THRESHOLD)
    description: str | None = Field(None, max_length=2000)


class NewEntryBody(Strict):
    """One entry: hashes only, or an image hashed here and then discarded."""

    pdq: str | None = Field(None, pattern=HEX_PDQ)
    quality: int | None = Field(None, ge=0, le=100)
    md5: str | None = Field(None, pattern=HEX_MD5)
    image: Base64Image | None = None
    external_id: str | None = Field(None, max_length=200)
    source: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)
    retro: bool = Field(True, description="match already-screened content against it")


class StatusChange(Strict):
    reason: str = Field("withdrawn", min_length=1, max_length=500)
    delete: bool = Field(False, description="also wipe the hashes from the store")


class Reinstate(Strict):
    reason: str = Field("reviewed", min_length=1, max_length=500)
