"""Typed settings, read once at start-up from ``CONSENTGATE_*`` environment variables.

Nothing reads the environment at import time: shells call ``Settings()`` (or
``load_settings``) when they start, and a bad value fails loudly there.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from consentgate.errors import ConfigError

EEA_CODES = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
)
"""The EU and EEA countries as the Transparency Database writes them (GR for Greece)."""


class BankNotices(StrEnum):
    """How a worker hears of bank changes made by other workers (polling stays on too)."""

    AUTO = "auto"  # Redis pub/sub with CONSENTGATE_REDIS_URL, else PostgreSQL LISTEN/NOTIFY
    OFF = "off"  # the poll alone (every CONSENTGATE_INDEX_REFRESH_S)


_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"


class SecureCookies(StrEnum):
    """Whether the console's cookies carry the ``Secure`` flag (sent over HTTPS only)."""

    AUTO = "auto"  # on, unless the service binds a loopback address (plain http on 127.0.0.1)
    ON = "on"
    OFF = "off"  # plain http on a network address: only for a trial behind no proxy


class PromptStorage(StrEnum):
    """Which prompts a recorded decision keeps (images are never kept, only hashes)."""

    NONE = "none"
    FLAGGED = "flagged"  # review and block only; never an allowed request's prompt
    ALL = "all"


def _key_of_32_bytes(value: SecretStr | None, what: str) -> SecretStr | None:
    """A secret given as base64 of exactly 32 bytes, or ValueError saying ``what``."""
    if value is None:
        return None
    try:
        raw = base64.b64decode(value.get_secret_value(), validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise ValueError(f"must be base64 of {what}")
    return value


def _http_url_or_none(value: str | None) -> str | None:
    """An http(s) URL with a host, stripped; None when unset or blank."""
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    return value.strip()


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
    detectors: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="only these detectors (comma-separated names); all installed when empty"
    )
    disabled_detectors: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="detectors to leave out (comma-separated names)"
    )

    all_signals: bool = Field(
        False,
        description="run every detector on every request, even one whose signals cannot "
        "change the decision (faces and age beside a benign prompt and image), so that "
        "every decision lists all of them; off: such detectors are skipped there",
    )

    @field_validator("detectors", "disabled_detectors", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    # --- throughput (docs/throughput.md) ---
    batch_wait_ms: float = Field(
        2.0,
        ge=0,
        le=100,
        description="longest a prompt waits for others to share its encoder batch (only "
        "while other screens are on their way); 0 = batcher off, each screen encodes alone",
    )
    batch_max: int = Field(32, ge=1, le=1024, description="most prompts one encoder batch takes")
    model_cache_dir: Path | None = Field(
        None,
        description="where prepared model data (USE's tokenizer tables and weights) is kept "
        "for fast starts, written on the first start; default $XDG_CACHE_HOME/consentgate "
        "or ~/.cache/consentgate",
    )
    decision_cache: int = Field(
        10_000,
        ge=0,
        le=10_000_000,
        description="decisions per process kept for repeated prompt-only requests (same "
        "normalised prompt, mode, subject, policy and detectors; LRU); 0 = off",
    )

    database_url: str = Field(
        "sqlite:///var/consentgate.db", description="SQLAlchemy URL of the store"
    )
    store_busy_timeout_s: float = Field(
        2.0,
        gt=0,
        le=30,
        description="longest a write waits for a locked SQLite store (another writer, "
        "another process) before the request is answered 503 with Retry-After",
    )
    ready_probe_s: float = Field(
        5.0,
        ge=0,
        le=300,
        description="how often /readyz tries a real write to the store (a full disk or a "
        "lock shows only then); between tries a worker repeats the last result; 0 = every call",
    )
    max_image_bytes: int = Field(25_000_000, gt=0, description="largest accepted image file")
    max_image_pixels: int = Field(40_000_000, gt=0, description="largest accepted width × height")
    max_image_frames: int = Field(100, gt=0, description="most frames screened in an animation")
    # --- hash banks ---
    bank_index_dir: Path | None = Field(
        None, description="where a worker keeps its hash-index snapshot for fast restarts"
    )
    bank_flood_max_matches: int = Field(
        1000,
        ge=1,
        le=2_000_000_000,
        description="distinct images per window that quarantine a custom or negative bank "
        "entry, or matches that raise an alert on a protected one (flood)",
    )
    bank_flood_window_s: int = Field(60, ge=1, description="flood-protection window in seconds")
    bank_flood_min_clients: int = Field(
        1,
        ge=1,
        le=1000,
        description="distinct API keys whose images must match an entry of a custom or "
        "negative bank before a flood quarantines it (protected kinds only alert)",
    )
    hash_dihedral: bool = Field(
        True, description="also match rotated and mirrored copies (8 PDQ hashes per image)"
    )
    # --- HTTP service (``consentgate serve``) ---
    host: str = Field("127.0.0.1", min_length=1, description="address the service binds")
    port: int = Field(8080, ge=1, le=65535, description="port the service binds")
    workers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="worker processes of the service; unset: one per usable core (at most 64)",
    )

    @property
    def worker_count(self) -> int:
        """``workers``, or one per usable core when it is unset (at most 64)."""
        return self.workers if self.workers is not None else min(usable_cores(), 64)

    max_request_bytes: int = Field(
        40_000_000,
        gt=0,
        description="largest HTTP request body (POST /v1/screen); the ceiling of every route",
    )
    max_json_bytes: int = Field(
        1_000_000, gt=0, description="largest body of a route that takes no image (banks, entries)"
    )
    max_import_bytes: int = Field(
        20_000_000, gt=0, description="largest hash list one POST /v1/banks/{name}/import takes"
    )
    rate_limit_per_s: float = Field(
        50.0, ge=0, le=1_000_000, description="requests per second per key (all workers); 0 = off"
    )
    rate_limit_burst: int = Field(100, ge=1, description="token-bucket size per key")
    key_cache_s: float = Field(
        1.0, ge=0, le=60, description="how long a worker trusts a looked-up API key"
    )
    auth_failure_rate_per_s: float = Field(
        1.0,
        ge=0,
        le=1_000_000,
        description="failed authentications per second per client address; 0 = off",
    )
    auth_failure_burst: int = Field(
        20, ge=1, description="failed authentications a client address may make before 429"
    )
    notice_rate_per_s: float = Field(
        0.2,
        ge=0,
        le=1_000_000,
        description="notices (POST /v1/notices, which needs no key) per second per client "
        "address; 0 = off",
    )
    notice_rate_burst: int = Field(
        10, ge=1, le=1_000_000, description="notices a client address may send at once"
    )
    notice_max_items: dict[str, int] = Field(
        {"child_safety": 10},
        description="most items (cases) one notice may list, per kind, as JSON "
        '(e.g. {"child_safety": 10}); kinds not named keep the limit of 100',
    )

    @field_validator("notice_max_items")
    @classmethod
    def _known_kinds(cls, value: dict[str, int]) -> dict[str, int]:
        kinds = ("dsa_notice", "child_safety", "take_it_down", "uk_intimate_image")
        for kind, most in value.items():
            if kind not in kinds:
                raise ValueError(f"unknown notice kind {kind!r}: one of {', '.join(kinds)}")
            if not 1 <= most <= 100:
                raise ValueError(f"{kind}: between 1 and 100 items")
        return value

    cases_per_address_per_hour: int = Field(
        20,
        ge=0,
        le=1_000_000,
        description="cases the notices of one client address may open per hour, shared by "
        "every worker; 0 = off",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="reverse proxies (comma-separated IPs or CIDRs) whose X-Forwarded-For "
        "names the client; empty: no forwarding header is trusted",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list | tuple):
            return value
        found = tuple(str(n).strip() for n in names if str(n).strip())
        for name in found:
            try:
                ipaddress.ip_network(name, strict=False)
            except ValueError:
                raise ValueError(f"{name!r} is not an IP address or CIDR network") from None
        return found

    redis_url: str | None = Field(
        None,
        description="Redis for the counters every worker shares (rate limits, failed "
        "authentications, notices, cases per address, bank flood counts) and for bank change "
        "notices, e.g. redis://127.0.0.1:6379/0",
    )
    redis_prefix: str = Field(
        "consentgate:", max_length=100, description="prefix of every key written to Redis"
    )
    api_docs: bool = Field(
        False, description="serve /docs, /redoc and /openapi.json (without a key)"
    )
    index_refresh_s: float = Field(
        0.5,
        gt=0,
        le=60,
        description="how often a worker catches up its hash index from the store's change "
        "log without a change notice (the fallback that catches a lost notice)",
    )
    bank_notices: BankNotices = Field(
        BankNotices.AUTO,
        description="tell every worker of a bank change at once: auto (Redis pub/sub when "
        "CONSENTGATE_REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY, else none on SQLite) "
        "or off (polling alone)",
    )
    # --- console (docs/console.md) ---
    console_session_hours: float = Field(
        12, gt=0, le=720, description="a console session ends this long after log-in, whatever"
    )
    console_idle_minutes: float = Field(
        30, gt=0, le=1440, description="a console session ends after this long without a request"
    )
    console_lockout_failures: int = Field(
        5, ge=1, le=100, description="wrong passwords in a row that lock a console account"
    )
    console_lockout_minutes: float = Field(
        15,
        ge=0,
        le=43_200,
        description="how long a locked account stays locked (an admin may unlock it "
        "sooner: `consentgate users unlock`); 0 = until an admin unlocks it",
    )
    console_secure_cookies: SecureCookies = Field(
        SecureCookies.AUTO,
        description="the Secure flag on console cookies: auto (on unless the service binds "
        "a loopback address), on, or off",
    )
    # --- casework ---
    case_deadline_intimate_h: float = Field(
        48, gt=0, le=48, description="hours from receipt to act on an intimate-image case (law: 48)"
    )
    case_deadline_child_safety_h: float = Field(
        1, gt=0, le=720, description="hours from receipt to act on a child-safety case"
    )
    case_deadline_other_h: float = Field(
        168, gt=0, le=8760, description="hours from receipt to act on any other case"
    )
    evidence_key: SecretStr | None = Field(
        None,
        description="base64 of a 32-byte key that encrypts child-safety evidence at rest "
        "(AES-256-GCM); without it no evidence is kept and each case says so",
    )
    evidence_retention_days: int = Field(
        365, ge=365, le=3650, description="days child-safety evidence is kept (law: 1 year)"
    )

    @field_validator("evidence_key")
    @classmethod
    def _evidence_key_is_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        return _key_of_32_bytes(value, "exactly 32 bytes (e.g. `openssl rand -base64 32`)")

    evidence_old_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (),
        description="earlier evidence keys (comma-separated base64), read only to open items "
        "sealed before a rotation until `consentgate evidence rekey` has re-sealed them",
    )

    @field_validator("evidence_old_keys", mode="before")
    @classmethod
    def _split_old_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(SecretStr(k.strip()) for k in value.split(",") if k.strip())
        return value

    @field_validator("evidence_old_keys")
    @classmethod
    def _old_keys_are_32_bytes(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for key in value:
            cls._evidence_key_is_32_bytes(key)
        return value

    audit_signing_key: SecretStr | None = Field(
        None,
        description="base64 of a 32-byte Ed25519 seed that signs audit checkpoints "
        "(`consentgate audit keygen`); keep it outside the store",
    )
    audit_signing_key_file: Path | None = Field(
        None,
        description="a file holding the audit signing key instead: PEM (PKCS#8), 32 raw "
        "bytes or base64 of them",
    )

    @field_validator("audit_signing_key")
    @classmethod
    def _signing_key_is_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        return _key_of_32_bytes(value, "a 32-byte Ed25519 seed (`audit keygen` makes one)")

    appeal_window_days: int = Field(
        183,
        ge=183,
        le=3650,
        description="days after a decision it may be appealed (6 months or more)",
    )
    # --- statements of reasons (DSA Art. 17, the Transparency Database) ---
    sor_territorial_scope: Annotated[tuple[str, ...], NoDecode] = Field(
        tuple(EEA_CODES.split()),
        description="where a restriction applies (comma-separated EU/EEA codes as the "
        "Transparency Database writes them: GR for Greece); all 30 by default",
    )
    sor_terms_section: str = Field(
        "Terms of service, rules on sexual content and nudity",
        min_length=1,
        max_length=500,
        description="the section of the terms a statement cites for content incompatible "
        "with them (incompatible_content_ground); no personal data",
    )
    sor_terms_url: str | None = Field(
        None, description="a link to that section (decision_ground_reference_url), http(s)"
    )
    sor_appeal_url: str | None = Field(
        None,
        description="where the platform's users contest a decision (http or https): told in "
        "every statement of reasons and in a blocked upload's answer",
    )

    @field_validator("sor_territorial_scope", mode="before")
    @classmethod
    def _split_codes(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(code.strip() for code in value.split(",") if code.strip())
        return value

    @field_validator("sor_territorial_scope")
    @classmethod
    def _country_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one country")
        bad = [code for code in value if len(code) != 2 or not code.isascii() or not code.isupper()]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a two-letter upper-case country code")
        return value

    @field_validator("sor_terms_url", "sor_appeal_url")
    @classmethod
    def _statement_url(cls, value: str | None) -> str | None:
        return _http_url_or_none(value)

    # --- regulator and agency reports ---
    provider_name: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=_ONE_LINE,
        description="the service provider's name, as transparency reports and child-safety "
        "reports give it",
    )
    reporter_first_name: str | None = Field(
        None, min_length=1, max_length=100, pattern=_ONE_LINE,
        description="first name of the person who files child-safety reports (NCMEC, NCA)",
    )  # fmt: skip
    reporter_last_name: str | None = Field(
        None, min_length=1, max_length=100, pattern=_ONE_LINE,
        description="their last name",
    )  # fmt: skip
    reporter_email: str | None = Field(
        None,
        max_length=320,
        pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$",
        description="their e-mail address: required to export a child-safety report (NCMEC "
        "requires the reporting person's e-mail)",
    )
    reporter_phone: str | None = Field(
        None, min_length=3, max_length=40, pattern=r"^\+?[0-9 ()./-]{3,40}$",
        description="their telephone number (the NCA report asks for one)",
    )  # fmt: skip
    # --- actions (removal webhooks) ---
    webhook_url: str | None = Field(
        None,
        description="the platform's endpoint for removal and restoration webhooks (http or "
        "https); actions wait in the queue while it is unset",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        validate_default=True,
        description="HMAC-SHA256 key that signs each webhook (required with a URL)",
    )
    webhook_timeout_s: float = Field(
        10.0, gt=0, le=120, description="time one webhook delivery may take"
    )
    action_max_attempts: int = Field(
        8, ge=1, le=100, description="deliveries of one action before it is dead-lettered"
    )
    action_retry_base_s: float = Field(
        30.0,
        gt=0,
        le=86_400,
        description="wait before the first retry; doubles on each further one (capped at 6 h)",
    )

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _http_url_or_none(value)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_with_url(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("webhook_url") and (value is None or not value.get_secret_value()):
            raise ValueError("required when CONSENTGATE_WEBHOOK_URL is set")
        return value

    # --- gateway (``consentgate proxy``) ---
    gateway_upstream: str | None = Field(
        None, description="base URL of the image API the gateway forwards to (http or https)"
    )
    gateway_adapter: str = Field(
        "openai-images", min_length=1, description="how the gateway reads the upstream's API"
    )
    gateway_adapter_config: Path | None = Field(
        None,
        description="YAML or JSON file configuring the gateway's adapter (generic-json only)",
    )
    gateway_adapter_options: dict[str, str] = Field(
        {},
        description="adapter settings over the file, as a JSON object of NAME: VALUE "
        "(generic-json only)",
    )
    gateway_timeout_s: float = Field(
        120.0,
        gt=0,
        le=600,
        description="longest the gateway waits for the upstream (or an output image URL) "
        "before answering 504",
    )

    @field_validator("gateway_upstream")
    @classmethod
    def _upstream_url(cls, value: str | None) -> str | None:
        url = _http_url_or_none(value)
        return url.rstrip("/") if url is not None else None

    store_prompts: PromptStorage = Field(
        PromptStorage.NONE, description="prompts kept with recorded decisions: none|flagged|all"
    )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and
    ``taskset`` narrow), or every core where the platform cannot say."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides, or raise ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting CONSENTGATE_{where.upper()}: {first['msg']}") from exc
