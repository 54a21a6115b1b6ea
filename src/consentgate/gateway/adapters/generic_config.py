"""The generic-json adapter's configuration: where an API keeps its prompt, photos and images.

Given as a YAML or JSON file (``--adapter-config``, ``CONSENTGATE_GATEWAY_ADAPTER_CONFIG``)
and/or ``NAME=VALUE`` options (``--adapter-option``, which win over the file);
validated once, at start-up, and every mistake is a ``ConfigError`` naming the
field. The defaults describe an OpenAI-style JSON API, so a configuration
names only what differs (docs/gateway.md, "generic-json").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from consentgate.errors import ConfigError
from consentgate.gateway.adapters.jsonpath import JsonPath

MAX_CONFIG_BYTES = 64_000


def _path(value: str) -> str:
    try:
        JsonPath.parse(value)
    except ConfigError as exc:
        raise ValueError(exc.message) from None
    return value


def _route(value: str) -> str:
    if not value.startswith("/") or "?" in value or "#" in value:
        raise ValueError("must be a path that starts with '/', without a query")
    return value


def _none_if_empty(value: Any) -> Any:
    return None if value == "" else value


def _split(value: Any) -> Any:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON object") from None
    return value


PathText = Annotated[str, AfterValidator(_path)]
OptionalPath = Annotated[PathText | None, BeforeValidator(_none_if_empty)]
RoutePath = Annotated[
    str | None,
    BeforeValidator(_none_if_empty),
    AfterValidator(lambda v: None if v is None else _route(v)),
]
JsonObject = Annotated[dict[str, Any], BeforeValidator(_json)]

DEFAULT_ERROR_BODY = {
    "error": {"code": "{code}", "message": "{message}", "decision_id": "{decision_id}"}
}


class GenericJsonConfig(BaseModel):
    """Paths are dotted, with list indices: ``input.images``, ``output[0].b64``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generate_path: RoutePath = Field("/images/generations", description="text-to-image route")
    edit_path: RoutePath = Field("/images/edits", description="edit route (source photos)")
    request_prompt: PathText = Field("prompt", description="the prompt in a request")
    request_images: OptionalPath = Field(
        "image", description="source photo(s): base64 or data: URL, one string or a list"
    )
    request_mask: OptionalPath = Field("mask", description="the mask, as a source photo")
    request_extra: JsonObject = Field(
        default_factory=dict, description="fields a measuring client adds to every request"
    )
    image_encoding: Literal["base64", "data-url"] = "base64"
    answer_images: PathText = Field(
        "data", description="the list of images in a 2xx answer (or one image)"
    )
    answer_b64: OptionalPath = Field(
        "b64_json", description="within one image: base64 or a data: URL"
    )
    answer_url: OptionalPath = Field("url", description="within one image: its URL")
    refusal_status: Annotated[tuple[int, ...], BeforeValidator(_split)] = (400,)
    refusal_code: PathText = Field("error.code", description="where a refusal names its code")
    refusal_codes: Annotated[tuple[str, ...], BeforeValidator(_split)] = Field(
        ("content_policy_violation", "moderation_blocked", "content_policy_review"),
        description="codes that mean a safety refusal; empty: any code at refusal_code",
    )
    refusal_message: OptionalPath = "error.message"
    error_status: int = Field(400, ge=400, le=599)
    error_body: JsonObject = Field(
        default_factory=lambda: json.loads(json.dumps(DEFAULT_ERROR_BODY)),
        description="our refusal; {code}, {message} and {decision_id} are filled in",
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read the adapter configuration {path}: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"the adapter configuration {path} is over {MAX_CONFIG_BYTES} bytes")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise ConfigError(f"the adapter configuration {path} is not YAML or JSON") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"the adapter configuration {path} must be a mapping of settings")
    return data


def load_generic_config(
    path: Path | None = None, options: Mapping[str, Any] | None = None
) -> GenericJsonConfig:
    """The configuration from ``path`` (YAML or JSON) with ``options`` over it."""
    values = {**(_read(path) if path is not None else {}), **(options or {})}
    try:
        config = GenericJsonConfig(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"generic-json adapter: {where}: {err['msg']}") from None
    if config.generate_path is None and config.edit_path is None:
        raise ConfigError("generic-json adapter: give generate_path, edit_path or both")
    return config
