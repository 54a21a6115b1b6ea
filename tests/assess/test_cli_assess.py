"""``consentgate assess`` end to end: our gate with fake detectors, and fake endpoints over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from consentgate.assess.photos import photo
from consentgate.assess.suite import build_suite
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.detectors.base import DetectorContext
from consentgate.records import Verdict
from consentgate.settings import Settings
from tests.assess.fakes import KEY, fake_gate, serving
from tests.gateway.fakes import GENERIC_CONFIG, FakeUpstream, gateway_engine

SMOKE = build_suite("smoke", 0)


def assess(*args: str, flag_outputs: bool = False, env: dict[str, str] | None = None) -> Result:
    settings = Settings()
    engine = gateway_engine(flag_outputs=flag_outputs)(settings, DetectorContext(settings=settings))
    obj = AppContext(settings=settings, _engine=engine)
    return CliRunner().invoke(cli, ["assess", *args], obj=obj, env=env)


def read(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())


def test_when_the_gate_assesses_itself_then_the_report_matches_its_own_decisions(
    tmp_path: Path,
) -> None:
    out = tmp_path / "self.json"
    result = assess("--target", "self", "--suite", "smoke", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = read(out)
    with fake_gate() as gate:  # the same fake detectors, asked directly
        refused = {
            i.id
            for i in SMOKE.items
            if gate.screen(
                mode=i.mode, prompt=i.text, source_image=photo(i.photo).data if i.photo else None
            ).decision
            is not Verdict.ALLOW
        }
    harmful = [i for i in SMOKE.items if i.harmful]
    assert report["harmful"]["refused"] == sum(i.id in refused for i in harmful)  # type: ignore[index]
    assert report["harmful"]["n"] == len(harmful)  # type: ignore[index]
    assert report["suite"]["complete"] is True  # type: ignore[index]
    assert report["leaks"] == 0
    assert "harmful requests refused" in result.stdout and f"report: {out}" in result.stdout
    state = (tmp_path / "self.state.jsonl").read_text().splitlines()
    assert len(state) == 1 + len(SMOKE.items)


def test_when_a_run_is_bounded_then_a_rerun_finishes_it(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    first = assess(
        "--target", "self", "--suite", "smoke", "--out", str(out), "--max-requests", "40"
    )
    assert first.exit_code == 0, first.output
    assert read(out)["suite"] == {**read(out)["suite"], "finished": 40, "complete": False}  # type: ignore[dict-item]
    assert "incomplete" in first.stdout
    second = assess("--target", "self", "--suite", "smoke", "--out", str(out))
    assert second.exit_code == 0, second.output
    assert f"40 of {len(SMOKE.items)} requests were done already" in second.stderr
    assert read(out)["suite"]["finished"] == len(SMOKE.items)  # type: ignore[index]
    html = tmp_path / "r.html"  # the same run, rendered again: nothing is sent twice
    third = assess("--target", "self", "--suite", "smoke", "--out", str(html))
    assert third.exit_code == 0 and "<svg" in html.read_text()
    assert len((tmp_path / "r.state.jsonl").read_text().splitlines()) == 1 + len(SMOKE.items)


def test_when_the_rerun_has_another_seed_then_exit_2_until_fresh(tmp_path: Path) -> None:
    out = str(tmp_path / "r.json")
    assert (
        assess(
            "--target", "self", "--suite", "smoke", "--out", out, "--max-requests", "5"
        ).exit_code
        == 0
    )
    other = assess("--target", "self", "--suite", "smoke", "--seed", "1", "--out", out)
    assert other.exit_code == 2 and "another run" in other.stderr
    fresh = assess(
        "--target",
        "self",
        "--suite",
        "smoke",
        "--seed",
        "1",
        "--out",
        out,
        "--max-requests",
        "5",
        "--fresh",
    )
    assert fresh.exit_code == 0 and read(Path(out))["suite"]["seed"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "self"], "give --out"),
        (["--target", "self", "--out", "r.txt"], "must end in .json or .html"),
        (["--out", "r.json"], "give --endpoint"),
        (["--endpoint", "file:///etc", "--out", "r.json"], "http:// or https://"),
        (
            ["--endpoint", "http://h/v1", "--api-key-env", "NO_SUCH_VAR_X", "--out", "r.json"],
            "NO_SUCH_VAR_X",
        ),
        (
            ["--target", "self", "--adapter-option", "request_prompt=x", "--out", "r.json"],
            "the self adapter takes no configuration",
        ),
        (
            [
                *("--endpoint", "http://h/v1", "--adapter", "generic-json"),
                *("--adapter-config", "r.yaml", "--out", "r.json"),
            ],
            "cannot read the adapter configuration",
        ),
    ],
)
def test_when_options_are_bad_then_exit_2_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = assess(*[str(tmp_path / a) if a.startswith("r.") else a for a in args])
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_when_an_adapter_option_is_not_a_pair_then_a_usage_error(tmp_path: Path) -> None:
    out = str(tmp_path / "r.json")
    result = assess("--endpoint", "http://h/v1", "--adapter-option", "no-equals", "--out", out)
    assert result.exit_code == 2 and "is not NAME=VALUE" in result.stderr
    assert not (tmp_path / "r.state.jsonl").exists()


@pytest.mark.parametrize(
    ("behaviour", "rate", "outcome"),
    [("compliant", 0.0, "generated"), ("refusing", 1.0, "blocked")],
)
def test_when_a_generic_json_endpoint_is_assessed_then_its_configuration_is_used(
    tmp_path: Path, behaviour: str, rate: float, outcome: str
) -> None:
    config = tmp_path / "images-api.yaml"  # JSON is YAML: the file a user would write
    config.write_text(json.dumps({**GENERIC_CONFIG, "request_prompt": "prompt"}))
    upstream = FakeUpstream(behaviour, "generic")
    out = tmp_path / "generic.json"
    with serving(upstream.app()) as url:
        result = assess(
            "--endpoint",
            url,
            "--adapter",
            "generic-json",
            "--adapter-config",
            str(config),
            "--adapter-option",
            "request_prompt=input.text",
            "--suite",
            "smoke",
            "--out",
            str(out),
            "--max-requests",
            "12",
        )
    assert result.exit_code == 0, result.output
    report = read(out)
    assert report["harmful_refusal_rate"] == report["benign_false_refusal_rate"] == rate
    assert report["outcomes"][outcome] == 12  # type: ignore[index]
    assert report["target"].endswith("/v1 (generic-json)")  # type: ignore[union-attr]
    texts = [json.loads(body)["input"]["text"] for body in upstream.bodies]
    assert texts == [item.text for item in SMOKE.items[:12]]


@pytest.mark.parametrize(
    ("behaviour", "harmful", "benign", "outcome"),
    [("compliant", 0.0, 0.0, "generated"), ("refusing", 1.0, 1.0, "blocked")],
)
def test_when_an_endpoint_complies_or_refuses_then_the_rates_say_so(
    tmp_path: Path, behaviour: str, harmful: float, benign: float, outcome: str
) -> None:
    upstream = FakeUpstream(behaviour)
    out = tmp_path / "endpoint.json"
    with serving(upstream.app()) as url:
        result = assess(
            "--endpoint",
            url,
            "--suite",
            "smoke",
            "--out",
            str(out),
            "--max-requests",
            "30",
            "--api-key-env",
            "ASSESS_KEY",
            env={"ASSESS_KEY": KEY},
        )
    assert result.exit_code == 0, result.output
    report = read(out)
    assert (report["harmful_refusal_rate"], report["benign_false_refusal_rate"]) == (
        harmful,
        benign,
    )
    assert report["outcomes"][outcome] == 30  # type: ignore[index]
    assert len(upstream.calls) == 30
    assert {c["authorization"] for c in upstream.calls} == {f"Bearer {KEY}"}
    for path in tmp_path.iterdir():  # the key is sent, and kept nowhere
        assert KEY not in path.read_text()
    assert KEY not in result.output


def test_when_a_compliant_endpoint_returns_images_our_detectors_flag_then_leaks(
    tmp_path: Path,
) -> None:
    out = tmp_path / "leaky.json"
    with serving(FakeUpstream("compliant").app()) as url:
        result = assess(
            "--endpoint",
            url,
            "--suite",
            "smoke",
            "--out",
            str(out),
            "--max-requests",
            "30",
            flag_outputs=True,
        )
    assert result.exit_code == 0, result.output
    report = read(out)
    harmful = sum(i.harmful for i in SMOKE.items[:30])
    assert report["leaks"] == harmful > 0
    assert report["flagged_benign_outputs"] == 30 - harmful
    assert len(report["leaked"]) == harmful  # type: ignore[arg-type]


def test_when_an_endpoint_hangs_then_each_request_fails_at_the_timeout(tmp_path: Path) -> None:
    out = tmp_path / "hang.json"
    with serving(FakeUpstream("hanging").app()) as url:
        result = assess(
            "--endpoint",
            url,
            "--suite",
            "smoke",
            "--out",
            str(out),
            "--max-requests",
            "2",
            "--timeout",
            "0.3",
        )
    assert result.exit_code == 0, result.output
    report = read(out)
    assert report["errors"] == 2 and report["outcomes"]["failed"] == 2  # type: ignore[index]
