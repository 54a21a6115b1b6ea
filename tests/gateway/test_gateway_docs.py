"""The measuring-client example in docs/gateway.md runs with the real engine, as it says."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_when_the_gateway_docs_python_example_runs_then_it_prints_its_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("CONSENTGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    [block] = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "gateway.md").read_text(), re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "gateway.md example", "exec"), {"__name__": "__doc_example__"})
    lines = printed.getvalue().splitlines()
    assert lines[0] == "generated 1"
    kind, code, decision_id = lines[1].split()
    assert (kind, code) == ("refused", "content_policy_violation") and len(decision_id) > 8
    said = re.findall(r"# (generated 1|refused content_policy_violation)", block)
    assert said == ["generated 1", "refused content_policy_violation"]
