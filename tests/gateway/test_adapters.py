"""The openai-images adapter and the registry, without a network."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from click.testing import CliRunner

from consentgate.cli.main import cli
from consentgate.errors import BadInput, ConfigError
from consentgate.gateway.adapters import AdapterRegistry, default_adapters
from consentgate.gateway.adapters.base import (
    ImageRequest,
    Refusal,
    ReturnedImage,
    UpstreamAnswerInvalid,
)
from consentgate.gateway.adapters.openai_images import OpenAIImagesAdapter
from consentgate.records import Mode
from consentgate.settings import load_settings
from tests.gateway.fakes import landscape

ADAPTER = OpenAIImagesAdapter()


@pytest.mark.parametrize(
    "request_",
    [
        ImageRequest(Mode.GENERATE, "a lighthouse"),
        ImageRequest(Mode.EDIT, "make the sky bluer", (landscape(), b"second"), b"mask"),
    ],
)
def test_when_a_request_is_encoded_then_the_adapter_reads_it_back(request_: ImageRequest) -> None:
    encoded = ADAPTER.encode(request_)
    parsed = asyncio.run(ADAPTER.parse_request(encoded.route, encoded.content_type, encoded.body))
    assert parsed == request_


@pytest.mark.parametrize(
    ("body", "images"),
    [
        (
            {"data": [{"b64_json": base64.b64encode(b"png").decode()}]},
            (ReturnedImage(data=b"png"),),
        ),
        (
            {"data": [{"url": "https://x/y.png", "revised_prompt": "p"}]},
            (ReturnedImage(url="https://x/y.png"),),
        ),
        ({"created": 1, "data": []}, ()),
    ],
)
def test_when_an_answer_has_images_then_they_are_read(
    body: object, images: tuple[ReturnedImage, ...]
) -> None:
    assert ADAPTER.parse_answer(json.dumps(body).encode()) == images


@pytest.mark.parametrize(
    "body",
    [b"<html>", b"[]", b'{"data": {}}', b'{"data": [{"b64_json": "%%%"}]}', b'{"data": [{}]}'],
)
def test_when_an_answer_is_not_an_images_answer_then_it_is_invalid(body: bytes) -> None:
    with pytest.raises(UpstreamAnswerInvalid):
        ADAPTER.parse_answer(body)


@pytest.mark.parametrize(
    ("status", "body", "refused"),
    [
        (400, b'{"error": {"code": "content_policy_violation"}}', True),
        (400, b'{"error": {"code": "invalid_size"}}', False),
        (500, b'{"error": {"code": "content_policy_violation"}}', False),
        (400, b"not json", False),
    ],
)
def test_when_an_upstream_answers_then_its_refusals_are_told_apart(
    status: int, body: bytes, refused: bool
) -> None:
    assert ADAPTER.is_refusal(status, body) is refused


def test_when_a_generation_prompt_is_not_a_string_then_bad_input() -> None:
    with pytest.raises(BadInput):
        asyncio.run(ADAPTER.parse_request(ADAPTER.routes[0], "application/json", b'{"prompt": 3}'))


def test_when_an_adapter_name_is_unknown_or_repeated_then_config_error() -> None:
    with pytest.raises(ConfigError, match="openai-images"):
        default_adapters().get("nope")
    with pytest.raises(ConfigError):
        AdapterRegistry([("same", lambda *_: OpenAIImagesAdapter())] * 2)


def test_when_proxy_has_no_upstream_then_it_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONSENTGATE_GATEWAY_UPSTREAM", raising=False)
    result = CliRunner().invoke(cli, ["proxy"])
    assert result.exit_code == 2
    assert "--upstream" in result.output


@pytest.mark.parametrize(
    ("given", "kept"),
    [("https://images.example/v1/", "https://images.example/v1"), ("", None), (None, None)],
)
def test_when_an_upstream_url_is_given_then_it_is_kept_without_its_last_slash(
    given: str | None, kept: str | None
) -> None:
    assert load_settings(gateway_upstream=given).gateway_upstream == kept


@pytest.mark.parametrize("given", ["ftp://images.example", "file:///etc", "images.example/v1"])
def test_when_an_upstream_url_is_not_http_then_config_error(given: str) -> None:
    with pytest.raises(ConfigError, match="GATEWAY_UPSTREAM"):
        load_settings(gateway_upstream=given)


def test_when_our_refusal_is_read_back_then_code_message_and_decision_id_are_kept() -> None:
    status, body = ADAPTER.refusal("content_policy_review", "held", "d-42")
    refusal = ADAPTER.read_refusal(status, json.dumps(body).encode())
    assert refusal == Refusal("content_policy_review", "held", "d-42")
