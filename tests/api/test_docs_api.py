"""docs/api.md stays honest: its quick start runs as written; every route is listed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from consentgate.api.app import create_app
from consentgate.service.wiring import Services
from tests.api.server import free_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def quick_start() -> str:
    text = DOC.read_text()
    section = text.split("## Quick start", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_when_the_quick_start_is_run_as_written_then_it_screens_and_reads_back(
    tmp_path: Path,
) -> None:
    script = quick_start().replace("8080", str(free_port()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    decision_id = re.search(r'"id":"([0-9a-f]{32})"', out)
    assert decision_id is not None
    assert out.count(decision_id.group(1)) == 2  # screened, then read back
    assert '"decision":"block"' in out and '"rule":"R3"' in out
    assert '"status":401' in out
    assert (tmp_path / "var" / "consentgate.db").exists()


def test_when_a_route_exists_then_docs_api_lists_it() -> None:
    app = create_app(lambda: Services.__new__(Services))
    text = DOC.read_text()
    for path in sorted(app.openapi()["paths"]):
        # The docs may name a path parameter more shortly ({id} for {decision_id}).
        pattern = re.sub(r"\\\{[^}]*\\\}", r"\\{[a-z_]+\\}", re.escape(path))
        assert re.search(pattern + r"[`,?]", text), f"docs/api.md does not list {path}"
