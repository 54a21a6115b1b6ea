"""Typed settings, read once at start-up from ``CONSENTGATE_*`` environment variables.

Nothing reads the environment at import time: shells call ``Settings()`` (or
``load_settings``) when they start, and a bad value fails loudly there.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from consentgate.errors import ConfigError


class Settings(BaseSettings):
    """Every setting, its default and its bounds. Documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="CONSENTGATE_", extra="ignore", frozen=True)

    policy_path: Path | None = Field(
        None, description="YAML policy file; the shipped default policy when unset"
    )
    adult_mode: bool = Field(
        False, description="allow explicit content of fictional adults (age-verified services)"
    )
    detector_timeout_s: float = Field(
        2.0, gt=0, le=120, description="time budget for all detectors of one screen"
    )
    detectors: tuple[str, ...] = Field(
        (), description="only these detectors (comma-separated names); all installed when empty"
    )
    disabled_detectors: tuple[str, ...] = Field((), description="detectors to leave out")
    database_url: str = Field(
        "sqlite:///var/consentgate.db", description="SQLAlchemy URL of the store"
    )
    max_image_bytes: int = Field(25_000_000, gt=0, description="largest accepted image file")
    max_image_pixels: int = Field(40_000_000, gt=0, description="largest accepted width × height")
    max_image_frames: int = Field(100, gt=0, description="most frames screened in an animation")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides, or raise ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting CONSENTGATE_{where.upper()}: {first['msg']}") from exc
