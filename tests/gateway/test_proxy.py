"""The gateway in process: refusals in OpenAI's shape, pass-through, faults, records, cases."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from consentgate.cases.records import CaseKind, CaseState
from tests.api.conftest import photo
from tests.gateway.conftest import Proxied
from tests.gateway.fakes import REFUSAL, landscape

ASTRONAUT = photo("astronaut")
KEY = "sk-test-0123456789abcdefSECRET"
AUTH = {"Authorization": f"Bearer {KEY}"}


def edit(gw: Proxied, prompt: str, *, response_format: str = "b64_json") -> Any:
    return gw.client.post(
        "/v1/images/edits",
        data={"prompt": prompt, "response_format": response_format},
        files={"image": ("person.jpg", ASTRONAUT, "image/jpeg")},
        headers=AUTH,
    )


def generate(gw: Proxied, prompt: str) -> Any:
    return gw.client.post("/v1/images/generations", json={"prompt": prompt, "n": 1}, headers=AUTH)


def test_when_an_edit_undresses_a_real_person_then_400_in_openai_shape_and_upstream_not_called(
    gateway: Any,
) -> None:
    with gateway() as gw:
        r = edit(gw, "put her in a bikini")
        assert r.status_code == 400
        error = r.json()["error"]
        assert error["code"] == "content_policy_violation"
        assert error["type"] == "invalid_request_error"
        assert gw.services.decisions.get(error["decision_id"]).decision == "block"
        assert gw.upstream.calls == []


@pytest.mark.parametrize("response_format", ["b64_json", "url"])
def test_when_an_ordinary_edit_is_asked_then_the_upstreams_image_comes_back(
    gateway: Any, response_format: str
) -> None:
    with gateway() as gw:
        r = edit(gw, "make the sky bluer", response_format=response_format)
        assert r.status_code == 200, r.text
        (item,) = r.json()["data"]
        if response_format == "b64_json":
            assert base64.b64decode(item["b64_json"]) == landscape()
        else:
            assert item["url"].endswith("/files/landscape.png")
        assert len(gw.upstream.calls) == 1
        # the request and the output were screened and recorded
        assert gw.services.decisions.count() == 2


def test_when_a_generation_is_ordinary_then_it_goes_through(gateway: Any) -> None:
    with gateway() as gw:
        r = generate(gw, "a watercolour of a lighthouse")
        assert r.status_code == 200 and "b64_json" in r.json()["data"][0]


def test_when_the_upstream_refuses_then_its_refusal_is_passed_through_unchanged(
    gateway: Any,
) -> None:
    with gateway("refusing") as gw:
        r = generate(gw, "a lighthouse")
        assert r.status_code == 400
        assert r.json() == REFUSAL


@pytest.mark.parametrize(
    ("behaviour", "status", "kind"),
    [("failing", 502, "upstream-failed"), ("hanging", 504, "upstream-timeout")],
)
def test_when_the_upstream_fails_or_hangs_then_a_problem_document(
    gateway: Any, behaviour: str, status: int, kind: str
) -> None:
    with gateway(behaviour, gateway_timeout_s=0.5) as gw:
        r = generate(gw, "a lighthouse")
        assert r.status_code == status
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == f"urn:consentgate:problem:{kind}"


def test_when_a_client_sends_its_key_then_the_upstream_gets_it_and_no_log_shows_it(
    gateway: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with gateway("failing") as gw:
        gw.client.cookies.set("session", "platform-session")
        generate(gw, "a lighthouse")
        assert gw.upstream.calls[0]["authorization"] == f"Bearer {KEY}"
        assert "cookie" not in gw.upstream.calls[0]  # only credentials pass, nothing else
    assert caplog.records  # the failure was logged ...
    assert KEY not in caplog.text  # ... without the key


def test_when_the_output_detectors_flag_the_image_then_400_and_no_image(gateway: Any) -> None:
    with gateway(flag_outputs=True) as gw:
        r = edit(gw, "make the sky bluer")
        assert r.status_code == 400
        assert "data" not in r.json() and "b64_json" not in r.text
        error = r.json()["error"]
        assert error["code"] == "content_policy_violation"
        decision = gw.services.decisions.get(error["decision_id"])
        assert {reason.rule for reason in decision.reasons} >= {"R5"}
        assert len(gw.upstream.calls) == 1


def test_when_a_request_needs_review_then_it_is_withheld_and_a_case_opens(gateway: Any) -> None:
    with gateway() as gw:
        r = generate(gw, "please crash now")  # a failing detector: R9 review
        assert r.status_code == 400
        error = r.json()["error"]
        assert error["code"] == "content_policy_review"
        (case,) = gw.services.cases.list_cases(states=tuple(CaseState), limit=10)
        assert case.kind is CaseKind.AUTOMATED_REVIEW
        assert case.item.decision_id == error["decision_id"]
        assert gw.upstream.calls == []


@pytest.mark.parametrize(
    ("path", "kwargs", "status"),
    [
        (
            "/v1/images/generations",
            {"content": b"not json", "headers": {"content-type": "application/json"}},
            422,
        ),
        ("/v1/images/generations", {"data": {"prompt": "x"}}, 415),
        ("/v1/images/edits", {"data": {"prompt": "x"}, "files": {"mask": ("m.png", b"x")}}, 422),
    ],
)
def test_when_the_client_request_is_unreadable_then_a_problem_and_no_forward(
    gateway: Any, path: str, kwargs: dict[str, Any], status: int
) -> None:
    with gateway() as gw:
        r = gw.client.post(path, **kwargs)
        assert r.status_code == status
        assert gw.upstream.calls == []


def test_when_the_client_body_is_over_the_limit_then_413(gateway: Any) -> None:
    with gateway(max_request_bytes=1000) as gw:
        r = gw.client.post("/v1/images/generations", json={"prompt": "x" * 2000})
        assert r.status_code == 413
        assert gw.upstream.calls == []
