"""A JSON body that gives a key twice, at any depth, is refused (422 naming the key).

Otherwise the last value silently wins here while another reader of the same
bytes may keep the first.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from consentgate.api import routes
from consentgate.api.json_route import StrictJsonRoute
from consentgate.jsonkeys import DuplicateKey, refuse_duplicate_keys
from consentgate.service.keys import Scope
from tests.api.conftest import Api, b64, png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
NOTICE = (EXAMPLES / "dsa_notice.json").read_text()


def _twice(text: str, key: str, extra: str) -> str:
    """``text`` (a JSON object) with ``"key": extra`` added again at its start."""
    return text.replace("{", "{" + json.dumps(key) + ": " + extra + ", ", 1)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('{"a": 1, "a": 2}', "a"),
        ('{"a": {"b": [{"c": 1, "d": 2, "c": 3}]}}', "c"),
        ('[{"x": 1}, {"x": 2, "x": 2}]', "x"),
    ],
)
def test_when_a_key_is_given_twice_at_any_depth_then_it_is_named(body: str, key: str) -> None:
    with pytest.raises(DuplicateKey) as caught:
        refuse_duplicate_keys(body)
    assert caught.value.field == key


@pytest.mark.parametrize("body", ['{"a": 1, "b": {"a": 2}}', "not json", "", b"\xff\xfe"])
def test_when_keys_are_unique_or_the_body_is_not_json_then_nothing_is_refused(
    body: str | bytes,
) -> None:
    refuse_duplicate_keys(body)  # bad JSON is left to the parser that reports it


NOTICE_BODIES = [
    ("kind at the top", _twice(NOTICE, "kind", '"child_safety"'), "kind"),
    (
        "a nested field",
        NOTICE.replace('{"url": ', '{"url": "https://x.example/1", "url": ', 1),
        "url",
    ),
]


@pytest.mark.parametrize(("what", "body", "key"), NOTICE_BODIES, ids=[b[0] for b in NOTICE_BODIES])
def test_when_a_notice_gives_a_key_twice_then_422_naming_it_and_nothing_is_recorded(
    api: Api, what: str, body: str, key: str
) -> None:
    assert json.loads(body)  # still valid JSON: only the repeat is wrong
    answer = api.client.post(
        "/v1/notices", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["field"] == key and key in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == [key]


def test_when_a_keyed_route_is_sent_a_key_twice_then_422_naming_it(api: Api) -> None:
    key = api.key(Scope.SCREEN)
    image = json.dumps(b64(png()))
    body = '{"image": ' + image + ', "dihedral": false, "image": ' + image + "}"
    answer = api.client.post(
        "/v1/hash", content=body, headers={**key, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert (problem["field"], problem["type"]) == ("image", "urn:consentgate:problem:duplicate-key")
    once = body.replace(', "image": ' + image, "")
    same = api.client.post(
        "/v1/hash", content=once, headers={**key, "Content-Type": "application/json"}
    )
    assert same.status_code == 200, same.text


def test_when_screen_is_sent_a_key_twice_then_422_naming_it(api: Api) -> None:
    key = api.key(Scope.SCREEN)
    body = '{"prompt": "a cat", "mode": "generate", "prompt": "a dog"}'
    answer = api.client.post(
        "/v1/screen", content=body, headers={**key, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "prompt"


def test_when_a_route_takes_a_json_body_then_it_refuses_repeated_keys() -> None:
    areas = [
        importlib.import_module(f"{routes.__name__}.{m.name}")
        for m in pkgutil.iter_modules(routes.__path__)
    ]
    found = [r for area in areas for r in getattr(area, "router", APIRouter()).routes]
    with_bodies = [r for r in found if isinstance(r, APIRoute) and r.body_field is not None]
    assert len(with_bodies) >= 5  # the check below must have something to check
    assert [r.path for r in with_bodies if not isinstance(r, StrictJsonRoute)] == []
