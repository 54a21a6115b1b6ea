from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.errors import ConfigError
from consentgate.policy.loader import load_policy, parse_policy

VALID = """\
id: test
version: "1"
rules:
  - id: B1
    description: block explicit
    verdict: block
    when:
      signal: sexual_explicit
"""


def test_when_default_policy_loads_then_rules_have_stable_ids() -> None:
    policy = load_policy()
    assert [r.id for r in policy.rules] == [
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "R6",
        "R9",
        "R11",
        "R12",
    ]
    assert policy.adult_mode is False


def test_when_valid_file_then_it_parses(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(VALID)
    assert load_policy(path).rules[0].id == "B1"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (VALID.replace("verdict: block", "verdict: maybe"), 6, "rules.0.verdict"),
        (VALID.replace("signal: sexual_explicit", "signal: Not A Label"), 8, "rules.0.when.signal"),
        (
            VALID.replace(
                "      signal: sexual_explicit", "      mode: edit\n      adult_mode: true"
            ),
            8,
            "exactly one of",
        ),
        (VALID.replace("      signal: sexual_explicit", "      target: prompt"), 8, "only allowed"),
        (VALID.replace("id: B1", "id: R0"), 4, "reserved"),
        (
            VALID + "  - id: B1\n    description: again\n    verdict: review\n"
            "    when: {detector_failed: true}\n",
            4,
            "used twice",
        ),
        (VALID.replace('version: "1"\n', ""), 1, "version"),
        (VALID.replace("rules:", "rules: [\n"), 5, "not valid YAML"),
        (VALID + "extra_key: 1\n", 9, "extra_key"),
        (
            VALID.replace("    verdict: block\n", "    verdict: block\n    verdict: allow\n"),
            7,
            "duplicate key",
        ),
    ],
)
def test_when_policy_is_bad_then_error_names_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(text, source="p.yaml")
    message = info.value.message
    assert fragment in message
    assert f"p.yaml:{line}" in message


def test_when_file_is_empty_then_config_error() -> None:
    with pytest.raises(ConfigError, match="empty"):
        parse_policy("", source="p.yaml")


def test_when_file_is_missing_then_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_policy(tmp_path / "nope.yaml")
