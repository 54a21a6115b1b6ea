"""Measuring clients: an HTTP API through its adapter, and ``self``, our own gate in process.

What an assessment sees for each request: ``generated`` with the images'
bytes, ``refused`` with the refusal's code (and our decision id when the
refusal was ours), or ``failed`` with what went wrong; never an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from consentgate.cli.main import cli
from consentgate.detectors.base import DetectorContext
from consentgate.errors import ConfigError, ConsentGateError
from consentgate.gate import Gate
from consentgate.gateway.adapters import default_adapters
from consentgate.gateway.adapters.base import (
    Connection,
    Endpoint,
    ImageRequest,
    Outcome,
    OutcomeKind,
)
from consentgate.gateway.adapters.self_gate import GateEndpoint, SelfAdapter
from consentgate.gateway.proxy import create_proxy_app
from consentgate.images.drawn import drawn_landscape
from consentgate.records import Mode
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.conftest import photo
from tests.gateway.conftest import adapter_for, serving
from tests.gateway.fakes import GENERIC_CONFIG, FakeUpstream, gateway_engine, landscape

ASTRONAUT = photo("astronaut")
KEY = "sk-measure-SECRET"
UNDRESS = ImageRequest(Mode.EDIT, "put her in a bikini", (ASTRONAUT,))
ORDINARY_EDIT = ImageRequest(Mode.EDIT, "make the sky bluer", (ASTRONAUT,))
GENERATION = ImageRequest(Mode.GENERATE, "a watercolour of a lighthouse")


def calls(endpoint: Endpoint, *requests: ImageRequest) -> list[Outcome]:
    async def run() -> list[Outcome]:
        async with endpoint:
            return [await endpoint.call(r) for r in requests]

    return asyncio.run(run())


def http_endpoint(upstream: FakeUpstream, shape: str = "openai", **settings: Any) -> Endpoint:
    connection = Connection(
        base_url="http://upstream.test/v1",
        headers={"Authorization": f"Bearer {KEY}"},
        settings=Settings(**settings),
        transport=httpx.ASGITransport(app=upstream.app()),
    )
    return adapter_for(shape).connect(connection)


@pytest.mark.parametrize("shape", ["openai", "generic"])
@pytest.mark.parametrize(
    ("behaviour", "kind", "code"),
    [
        ("compliant", OutcomeKind.GENERATED, None),
        ("refusing", OutcomeKind.REFUSED, "SAFETY|content_policy_violation"),
        ("failing", OutcomeKind.FAILED, "http_500"),
        ("hanging", OutcomeKind.FAILED, "upstream_timeout"),
        ("garbage", OutcomeKind.FAILED, "invalid_answer"),
    ],
)
def test_when_an_http_api_is_called_then_what_it_did_is_an_outcome(
    shape: str, behaviour: str, kind: OutcomeKind, code: str | None
) -> None:
    upstream = FakeUpstream(behaviour, shape)
    endpoint = http_endpoint(upstream, shape, gateway_timeout_s=0.5)
    (outcome,) = calls(endpoint, ORDINARY_EDIT)
    assert outcome.kind is kind
    if code is None:
        assert outcome.images == (landscape(),)
    else:
        assert outcome.code in code.split("|") and outcome.images == ()
    assert upstream.calls[0]["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("behaviour", "kind"), [("compliant", OutcomeKind.GENERATED), ("refusing", OutcomeKind.REFUSED)]
)
def test_when_an_api_is_called_over_the_network_then_the_same_outcomes(
    behaviour: str, kind: OutcomeKind
) -> None:
    upstream = FakeUpstream(behaviour)
    with serving(upstream.app()) as url:
        connection = Connection(base_url=url + "/v1", headers={"Authorization": f"Bearer {KEY}"})
        endpoint = default_adapters().get("openai-images").connect(connection)
        edit, generation = calls(endpoint, ORDINARY_EDIT, GENERATION)
    assert edit.kind is generation.kind is kind
    assert upstream.calls[0]["authorization"] == f"Bearer {KEY}"


def test_when_an_image_comes_by_url_then_the_endpoint_fetches_it_without_the_key() -> None:
    upstream = FakeUpstream("compliant", "generic")
    options = {**GENERIC_CONFIG, "request_extra": {"format": "url"}}
    adapter = default_adapters().build("generic-json", options=options)
    connection = Connection(
        base_url="http://upstream.test/v1",
        headers={"Authorization": f"Bearer {KEY}"},
        transport=httpx.ASGITransport(app=upstream.app()),
    )
    (outcome,) = calls(adapter.connect(connection), GENERATION)
    assert outcome.kind is OutcomeKind.GENERATED and outcome.images == (landscape(),)
    assert "authorization" not in upstream.file_calls[0]


def test_when_an_http_adapter_has_no_url_then_config_error() -> None:
    with pytest.raises(ConfigError, match="base URL"):
        default_adapters().get("openai-images").connect(Connection())


def test_when_our_gateway_is_measured_then_its_refusals_carry_the_decision_id(
    sqlite_url: str,
) -> None:
    upstream = FakeUpstream()
    config = Settings(database_url=sqlite_url)
    app = create_proxy_app(
        lambda: Services.build(config, engine_factory=gateway_engine()),
        default_adapters().get("openai-images"),
        "http://upstream.test/v1",
        transport=httpx.ASGITransport(app=upstream.app()),
    )

    async def run() -> list[Outcome]:
        async with app.router.lifespan_context(app):
            endpoint = (
                default_adapters()
                .get("openai-images")
                .connect(
                    Connection(
                        base_url="http://gateway.test/v1",
                        transport=httpx.ASGITransport(app=app),
                        settings=config,
                    )
                )
            )
            async with endpoint:
                outcomes = [await endpoint.call(r) for r in (UNDRESS, ORDINARY_EDIT)]
            services: Services = app.state.gateway.services
            refused = outcomes[0].decision_id
            assert refused is not None and services.decisions.get(refused).decision == "block"
            return outcomes

    refused, made = asyncio.run(run())
    assert (refused.kind, refused.code, refused.status) == (
        OutcomeKind.REFUSED,
        "content_policy_violation",
        400,
    )
    assert made.kind is OutcomeKind.GENERATED and made.images == (landscape(),)


# --- self: the gate in process ---


@pytest.fixture
def own_gate(tmp_path: Path) -> Iterator[Gate]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'self.db'}")
    gate = Gate(settings, engine=gateway_engine()(settings, _context(settings)))
    yield gate
    gate.close()


def _context(settings: Settings) -> DetectorContext:
    return DetectorContext(settings=settings)


def test_when_self_is_asked_to_undress_a_real_person_then_it_refuses_with_the_decision(
    own_gate: Gate,
) -> None:
    (outcome,) = calls(GateEndpoint(own_gate), UNDRESS)
    assert (outcome.kind, outcome.code, outcome.status) == (
        OutcomeKind.REFUSED,
        "content_policy_violation",
        400,
    )
    assert outcome.decision_id is not None and outcome.images == ()
    assert outcome.rules == ("R3",)


def test_when_self_is_asked_for_ordinary_work_then_it_returns_a_benign_image(
    own_gate: Gate,
) -> None:
    edit, generation = calls(GateEndpoint(own_gate), ORDINARY_EDIT, GENERATION)
    assert edit.kind is OutcomeKind.GENERATED and edit.images == (ASTRONAUT,)
    assert generation.kind is OutcomeKind.GENERATED and generation.images == (drawn_landscape(),)


def test_when_self_needs_review_then_it_refuses_with_the_review_code(own_gate: Gate) -> None:
    (outcome,) = calls(GateEndpoint(own_gate), ImageRequest(Mode.GENERATE, "please crash now"))
    assert (outcome.kind, outcome.code) == (OutcomeKind.REFUSED, "content_policy_review")


def test_when_self_screens_the_output_then_a_flagged_output_is_refused(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'self.db'}")
    engine = gateway_engine(flag_outputs=True)(settings, _context(settings))
    with Gate(settings, engine=engine) as gate:
        connection = Connection(settings=settings, gate=gate)
        (outcome,) = calls(SelfAdapter().connect(connection), ORDINARY_EDIT)
        gate.screen(prompt="a cat")  # a gate given in the connection is the caller's: still open
    assert (outcome.kind, outcome.code) == (OutcomeKind.REFUSED, "content_policy_violation")
    assert outcome.rules and outcome.decision_id is not None


def test_when_self_is_given_a_url_then_config_error() -> None:
    with pytest.raises(ConfigError, match="takes no endpoint URL"):
        SelfAdapter().connect(Connection(base_url="http://127.0.0.1:9/v1"))


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (ImageRequest(Mode.GENERATE, None), 400),  # nothing to screen
        (ImageRequest(Mode.EDIT, "x", (b"not an image",)), 400),
    ],
)
def test_when_self_cannot_read_a_request_then_it_failed(
    own_gate: Gate, request_: ImageRequest, status: int
) -> None:
    (outcome,) = calls(GateEndpoint(own_gate), request_)
    assert (outcome.kind, outcome.code, outcome.status) == (
        OutcomeKind.FAILED,
        "invalid_request",
        status,
    )


def test_when_the_endpoint_closes_then_the_gate_is_closed(own_gate: Gate) -> None:
    calls(GateEndpoint(own_gate))
    with pytest.raises(ConsentGateError, match="closed"):
        own_gate.screen(prompt="a cat")


def test_when_proxy_is_given_the_self_adapter_then_it_exits_2() -> None:
    result = CliRunner().invoke(
        cli, ["proxy", "--upstream", "http://127.0.0.1:9/v1", "--adapter", "self"]
    )
    assert result.exit_code == 2
    assert "assess --target self" in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--adapter-option", "no-equals"], "NAME=VALUE"),
        (
            ["--adapter", "generic-json", "--adapter-option", "request_prompt=a..b"],
            "request_prompt",
        ),
        (["--adapter-option", "request_prompt=x"], "takes no configuration"),
    ],
)
def test_when_the_adapter_configuration_is_wrong_then_proxy_exits_2(
    args: list[str], said: str
) -> None:
    result = CliRunner().invoke(cli, ["proxy", "--upstream", "http://127.0.0.1:9/v1", *args])
    assert result.exit_code == 2
    assert said in result.output
