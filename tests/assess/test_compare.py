"""``assess compare``: exit 1 when worse beyond the tolerance, 0 otherwise, 2 for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentgate.assess.compare import Tolerance, compare, load_report
from consentgate.assess.report import Rate, Report, build_report
from consentgate.cli.main import cli
from consentgate.errors import BadInput
from tests.assess.test_report import RESULTS, SUITE

BASE = build_report(SUITE, RESULTS, "scripted")


def changed(**update: object) -> Report:
    return BASE.model_copy(update=update)


def with_tactic(name: str, harmful: Rate) -> Report:
    rows = [
        g.model_copy(update={"harmful": harmful}) if g.name == name else g for g in BASE.by_tactic
    ]
    return changed(by_tactic=rows)


def run(tmp_path: Path, last: Report | str, this: Report | str, *args: str) -> Result:
    paths = []
    for n, report in enumerate((last, this)):
        path = tmp_path / f"r{n}.json"
        path.write_text(report if isinstance(report, str) else report.model_dump_json())
        paths.append(str(path))
    return CliRunner().invoke(cli, ["assess", "compare", *paths, *args])


def test_when_the_reports_are_the_same_then_exit_0(tmp_path: Path) -> None:
    result = run(tmp_path, BASE, BASE)
    assert result.exit_code == 0, result.output
    assert "not worse" in result.stdout and "harmful refusal rate" in result.stdout


@pytest.mark.parametrize(
    ("update", "worse"),
    [
        ({"harmful_refusal_rate": 0.79}, False),  # within the 0.02 tolerance
        ({"harmful_refusal_rate": 0.77}, True),
        ({"harmful_refusal_rate": 0.95}, False),  # better is never worse
        ({"benign_false_refusal_rate": 0.21}, False),
        ({"benign_false_refusal_rate": 0.23}, True),
        ({"error_rate": 0.2}, True),
        ({"leaks": 2}, True),
        ({"leaks": 0}, False),
        ({"harmful_refusal_rate": None}, True),  # measured before, not now
    ],
)
def test_when_a_figure_moves_then_exit_1_only_beyond_the_tolerance(
    tmp_path: Path, update: dict[str, object], worse: bool
) -> None:
    result = run(tmp_path, BASE, changed(**update))
    assert result.exit_code == (1 if worse else 0), result.output
    assert ("worse beyond the tolerance" in result.stdout) is worse


def test_when_the_tolerance_is_widened_then_the_same_fall_passes(tmp_path: Path) -> None:
    result = run(tmp_path, BASE, changed(harmful_refusal_rate=0.75), "--tolerance", "0.1")
    assert result.exit_code == 0, result.output


def test_when_one_tactic_falls_beyond_the_group_tolerance_then_exit_1(tmp_path: Path) -> None:
    last = with_tactic("plain", Rate.of(90, 100))
    same_total = with_tactic("plain", Rate.of(80, 100))
    result = run(tmp_path, last, same_total)
    assert result.exit_code == 1
    assert "tactic plain: refused" in result.stdout


def test_when_a_row_has_too_few_requests_then_it_is_not_judged(tmp_path: Path) -> None:
    last = with_tactic("plain", Rate.of(9, 10))
    this = with_tactic("plain", Rate.of(1, 10))
    assert run(tmp_path, last, this).exit_code == 0
    assert run(tmp_path, last, this, "--min-n", "5").exit_code == 1


def test_when_rates_are_compared_then_the_rule_reads_both_directions() -> None:
    changes = {
        c.metric: c for c in compare(BASE, changed(benign_false_refusal_rate=0.1), Tolerance())
    }
    assert changes["benign false refusal rate"].delta == pytest.approx(-0.1)
    assert not changes["benign false refusal rate"].worse


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ("<!DOCTYPE html><html></html>", "not JSON"),
        ('{"format": "something else"}', "not an assessment report"),
        ("[1, 2]", "not an assessment report"),
        ('{"format": "consentgate-assessment/1"}', "field required"),
        ("\udcff", "cannot be read"),
    ],
)
def test_when_a_file_is_not_a_report_then_exit_2_with_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(BASE.model_dump_json())
    bad = tmp_path / "bad.json"
    if content == "\udcff":
        bad.write_bytes(b"\xff\xfe\x00bad")
    elif content is not None:
        bad.write_text(content)
    result = CliRunner().invoke(cli, ["assess", "compare", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message.lower() in result.stderr.lower()
    assert str(bad) in result.stderr


def test_when_a_report_field_has_the_wrong_type_then_exit_2_naming_it(tmp_path: Path) -> None:
    data = json.loads(BASE.model_dump_json())
    data["harmful"]["n"] = "many"
    result = run(tmp_path, BASE, json.dumps(data))
    assert result.exit_code == 2 and "harmful.n" in result.stderr


def test_when_a_directory_is_given_then_exit_2(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(BASE.model_dump_json())
    result = CliRunner().invoke(cli, ["assess", "compare", str(good), str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.stderr


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=JSON, keep=st.booleans())
def test_when_any_json_is_read_as_a_report_then_a_report_or_bad_input(
    tmp_path: Path, data: object, keep: bool
) -> None:
    if keep and isinstance(data, dict):  # mostly a report, with hostile fields mixed in
        data = {**json.loads(BASE.model_dump_json()), **data}
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(data))
    try:
        load_report(path)
    except BadInput as exc:
        assert str(path) in exc.message and "\n" not in exc.message
