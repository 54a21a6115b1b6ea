"""The generic-json adapter: paths, configuration, and the gateway in front of a JSON API."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from consentgate.errors import BadInput, ConfigError
from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import ImageRequest, ReturnedImage, UpstreamAnswerInvalid
from consentgate.gateway.adapters.generic_config import load_generic_config
from consentgate.gateway.adapters.generic_json import GenericJsonAdapter
from consentgate.gateway.adapters.jsonpath import JsonPath, PathMissing
from consentgate.records import Mode
from tests.api.conftest import photo
from tests.gateway.conftest import adapter_for
from tests.gateway.fakes import GENERIC_CONFIG, GENERIC_REFUSAL, landscape

ADAPTER = adapter_for("generic")
AUTH = {"Authorization": "Bearer sk-generic-SECRET"}
PICTURE = base64.b64encode(landscape()).decode()
ASTRONAUT = base64.b64encode(photo("astronaut")).decode()


# --- paths ---


@pytest.mark.parametrize(
    ("path", "document", "value"),
    [
        ("prompt", {"prompt": "a cat"}, "a cat"),
        ("input.text", {"input": {"text": "a cat"}}, "a cat"),
        ("out[1].b64", {"out": [{"b64": "x"}, {"b64": "y"}]}, "y"),
        ("grid[0][1]", {"grid": [[1, 2]]}, 2),
    ],
)
def test_when_a_path_names_a_place_then_get_finds_it_and_put_makes_it(
    path: str, document: dict[str, Any], value: object
) -> None:
    parsed = JsonPath.parse(path)
    assert parsed.get(document) == value
    made: dict[str, Any] = {}
    parsed.put(made, value)
    assert parsed.get(made) == value


@pytest.mark.parametrize(
    ("path", "document"),
    [("a.b", {"a": {}}), ("a[2]", {"a": [1]}), ("a.b", {"a": "text"}), ("a[0]", {"a": {}})],
)
def test_when_a_place_is_absent_then_path_missing(path: str, document: object) -> None:
    with pytest.raises(PathMissing):
        JsonPath.parse(path).get(document)
    assert JsonPath.parse(path).find(document) is None


@pytest.mark.parametrize("path", ["", "a..b", "a[x]", "a[]", ".a", "a[0", "a]b"])
def test_when_a_path_is_not_a_path_then_config_error(path: str) -> None:
    with pytest.raises(ConfigError):
        JsonPath.parse(path)


# --- configuration ---


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_when_a_config_file_is_given_then_options_win_over_it(tmp_path: Path, suffix: str) -> None:
    file = tmp_path / f"adapter{suffix}"
    dump = json.dumps if suffix == ".json" else yaml.safe_dump
    file.write_text(dump(GENERIC_CONFIG))
    config = load_generic_config(
        file, {"request_prompt": "input.caption", "refusal_status": "403,451"}
    )
    assert config.request_prompt == "input.caption"
    assert config.refusal_status == (403, 451)
    assert config.edit_path == "/edit" and config.answer_b64 == "png"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"request_prompt": "a..b"}, "request_prompt"),
        ({"generate_path": "generate"}, "generate_path"),
        ({"generate_path": "", "edit_path": ""}, "generate_path, edit_path"),
        ({"no_such_setting": "x"}, "no_such_setting"),
        ({"error_status": "200"}, "error_status"),
        ({"error_body": "{not json"}, "error_body"),
        ({"refusal_status": "four hundred"}, "refusal_status"),
    ],
)
def test_when_a_config_is_wrong_then_config_error_naming_the_setting(
    values: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match="generic-json adapter") as caught:
        load_generic_config(None, values)
    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"), [("[1, 2]", "mapping"), ("a: [", "not YAML"), ("x" * 70_000, "over")]
)
def test_when_a_config_file_is_unreadable_then_config_error(
    tmp_path: Path, text: str, said: str
) -> None:
    file = tmp_path / "adapter.yaml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=said):
        load_generic_config(file)
    with pytest.raises(ConfigError, match="cannot read"):
        load_generic_config(tmp_path / "missing.yaml")


def test_when_a_plain_adapter_is_given_a_configuration_then_config_error() -> None:
    with pytest.raises(ConfigError, match="takes no configuration"):
        default_adapters().build("openai-images", options={"request_prompt": "x"})


def test_when_generic_json_has_no_configuration_then_it_reads_the_openai_json_shape() -> None:
    adapter = default_adapters().get("generic-json")
    assert [r.path for r in adapter.routes] == ["/images/generations", "/images/edits"]
    body = json.dumps({"data": [{"b64_json": PICTURE}]}).encode()
    assert adapter.parse_answer(body) == (ReturnedImage(data=landscape()),)


# --- translation ---


def parse(body: object, route: int = 1) -> ImageRequest:
    encoded = json.dumps(body).encode()
    return asyncio.run(ADAPTER.parse_request(ADAPTER.routes[route], "application/json", encoded))


@pytest.mark.parametrize(
    "request_",
    [
        ImageRequest(Mode.GENERATE, "a lighthouse"),
        ImageRequest(Mode.EDIT, "make the sky bluer", (landscape(),)),
        ImageRequest(Mode.EDIT, "blend these", (landscape(), b"second")),
    ],
)
def test_when_a_request_is_encoded_then_the_adapter_reads_it_back(request_: ImageRequest) -> None:
    encoded = ADAPTER.encode(request_)
    assert json.loads(encoded.body)["format"] == "b64"  # request_extra
    parsed = asyncio.run(ADAPTER.parse_request(encoded.route, encoded.content_type, encoded.body))
    assert parsed == request_


def test_when_photos_go_to_the_generate_route_then_they_are_screened_as_an_edit() -> None:
    asked = parse({"input": {"text": "x", "photos": [PICTURE]}}, route=0)
    assert asked.mode is Mode.EDIT and asked.sources == (landscape(),)


def test_when_a_photo_is_a_data_url_then_it_is_decoded() -> None:
    asked = parse({"input": {"text": "x", "photos": f"data:image/png;base64,{PICTURE}"}})
    assert asked.sources == (landscape(),)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"input": {"text": 3, "photos": [PICTURE]}}, "input.text must be a string"),
        ({"input": {"text": "x"}}, "needs at least one image"),
        ({"input": {"text": "x", "photos": ["https://example.org/p.jpg"]}}, "not its URL"),
        ({"input": {"text": "x", "photos": ["%%%"]}}, "not base64"),
        ({"input": {"text": "x", "photos": [{"b64": PICTURE}]}}, "base64 images"),
        ({"input": {"text": "x", "photos": "data:image/png,raw"}}, "not base64"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_when_a_request_cannot_be_read_then_bad_input_says_why(body: object, said: str) -> None:
    with pytest.raises(BadInput, match=said):
        parse(body)


@pytest.mark.parametrize(
    ("answer", "images"),
    [
        ({"result": {"images": [{"png": PICTURE}]}}, (ReturnedImage(data=landscape()),)),
        ({"result": {"images": [{"href": "https://x/y.png"}]}}, (ReturnedImage(url="https://x/y.png"),)),
        ({"result": {"images": [PICTURE, "https://x/z.png"]}}, (
            ReturnedImage(data=landscape()), ReturnedImage(url="https://x/z.png"))),
        ({"result": {"images": {"png": f"data:image/png;base64,{PICTURE}"}}}, (
            ReturnedImage(data=landscape()),)),
        ({"result": {"images": []}}, ()),
    ],
)  # fmt: skip
def test_when_an_answer_has_images_then_each_is_read(
    answer: object, images: tuple[ReturnedImage, ...]
) -> None:
    assert ADAPTER.parse_answer(json.dumps(answer).encode()) == images


@pytest.mark.parametrize(
    "answer",
    [
        b'{"images": [{"png": "x"}]}',  # the list is not where the configuration says
        b'{"result": {"images": [{"png": "%%%"}]}}',
        b'{"result": {"images": [{"thumbnail": "x"}]}}',  # an image we cannot find
        b'{"result": {"images": [{"png": "AAAA"}], "images": []}}',  # a key given twice
        b"<html>",
    ],
)
def test_when_an_answer_hides_an_image_then_it_is_invalid_not_empty(answer: bytes) -> None:
    with pytest.raises(UpstreamAnswerInvalid):
        ADAPTER.parse_answer(answer)


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (403, GENERIC_REFUSAL, "SAFETY"),
        (403, {"status": "refused", "reason": {"code": "QUOTA"}}, None),
        (400, GENERIC_REFUSAL, None),
        (403, {"reason": {"code": {"nested": 1}}}, None),
    ],
)
def test_when_an_upstream_answers_then_its_refusals_are_told_apart(
    status: int, body: object, code: str | None
) -> None:
    refusal = ADAPTER.read_refusal(status, json.dumps(body).encode())
    assert (refusal.code if refusal else None) == code


def test_when_we_refuse_then_the_template_is_filled_and_read_back() -> None:
    status, body = ADAPTER.refusal("content_policy_violation", "no", "d-1")
    assert status == 403
    assert body == {
        "status": "refused",
        "reason": {"code": "content_policy_violation", "text": "no", "decision": "d-1"},
    }
    assert isinstance(ADAPTER, GenericJsonAdapter)
    mine = GenericJsonAdapter(load_generic_config(None, {**GENERIC_CONFIG, "refusal_codes": ""}))
    refusal = mine.read_refusal(403, json.dumps(body).encode())
    assert refusal is not None and refusal.decision_id == "d-1"


# --- the gateway in front of a generic JSON API ---


def call(gw: Any, path: str, body: object) -> Any:
    return gw.client.post(f"/v1{path}", json=body, headers=AUTH)


def test_when_an_edit_undresses_a_real_person_then_refused_in_the_apis_shape(
    gateway: Any,
) -> None:
    with gateway(shape="generic") as gw:
        r = call(gw, "/edit", {"input": {"text": "put her in a bikini", "photos": [ASTRONAUT]}})
        assert r.status_code == 403, r.text
        reason = r.json()["reason"]
        assert reason["code"] == "content_policy_violation"
        assert gw.services.decisions.get(reason["decision"]).decision == "block"
        assert gw.upstream.calls == []


def test_when_an_ordinary_edit_is_asked_then_the_image_comes_back_screened(gateway: Any) -> None:
    with gateway(shape="generic") as gw:
        r = call(gw, "/edit", {"input": {"text": "make the sky bluer", "photos": [ASTRONAUT]}})
        assert r.status_code == 200, r.text
        (image,) = r.json()["result"]["images"]
        assert base64.b64decode(image["png"]) == landscape()
        assert gw.services.decisions.count() == 2
        assert gw.upstream.calls[0]["authorization"] == AUTH["Authorization"]


def test_when_an_output_is_given_by_url_then_it_is_fetched_and_screened(gateway: Any) -> None:
    with gateway(shape="generic", flag_outputs=True) as gw:
        r = call(gw, "/generate", {"input": {"text": "a lighthouse"}, "format": "url"})
        assert r.status_code == 403, r.text
        assert r.json()["reason"]["code"] == "content_policy_violation"
        assert len(gw.upstream.file_calls) == 1


def test_when_the_generic_upstream_refuses_then_its_refusal_passes_unchanged(
    gateway: Any,
) -> None:
    with gateway("refusing", shape="generic") as gw:
        r = call(gw, "/generate", {"input": {"text": "a lighthouse"}})
        assert r.status_code == 403 and r.json() == GENERIC_REFUSAL


def test_when_a_photo_is_given_by_url_then_422_and_nothing_is_forwarded(gateway: Any) -> None:
    with gateway(shape="generic") as gw:
        body = {"input": {"text": "make it sunny", "photos": ["https://example.org/a.jpg"]}}
        r = call(gw, "/edit", body)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert gw.upstream.calls == []
