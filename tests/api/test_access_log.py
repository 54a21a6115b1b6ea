"""``consentgate serve --access-log`` never writes a tracking code.

The code is a notifier's only credential; whoever reads the log could
otherwise read every status page and file appeals.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from consentgate.api.access_log import redact_path
from tests.api.served import served
from tests.api.server import server_env

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
UNKNOWN = "Zz9_unknown-code-of-32-characters"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/v1/notices/abcDEF123_-abcDEF123_-abcDEF12", "/v1/notices/[redacted]"),
        ("/v1/notices/abcDEF123_-abcDEF123/appeal", "/v1/notices/[redacted]/appeal"),
        ("/v1/notices/abc?x=1", "/v1/notices/[redacted]?x=1"),
        ("//v1//notices/abc", "//v1//notices/[redacted]"),
        ("/v1/notices", "/v1/notices"),
        ("/v1/cases/c1", "/v1/cases/c1"),
        ("/console/status/abcDEF123_-abcDEF123_-abcDEF12", "/console/status/[redacted]"),
        ("/console/status", "/console/status"),
        ("/console/cases/c1", "/console/cases/c1"),
    ],
)
def test_when_a_path_carries_a_tracking_code_then_it_is_redacted(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def test_when_notices_are_followed_then_the_access_log_shows_no_tracking_code(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = server_env(sqlite_url, CONSENTGATE_NOTICE_RATE_BURST="100")
    log = tmp_path / "serve.log"
    with served(env, log, "--access-log", "--log-level", "info") as server:
        notice = json.loads((EXAMPLES / "dsa_notice.json").read_text())
        made = httpx.post(server.url + "/v1/notices", json=notice, timeout=30)
        assert made.status_code == 201, made.text
        code = made.json()["tracking_code"]
        assert httpx.get(f"{server.url}/v1/notices/{code}", timeout=30).status_code == 200
        appeal = {"item": 0, "text": "not decided yet"}
        httpx.post(f"{server.url}/v1/notices/{code}/appeal", json=appeal, timeout=30)
        assert httpx.get(f"{server.url}/v1/notices/{UNKNOWN}", timeout=30).status_code == 404
        deadline = time.monotonic() + 10
        while server.output().count("/v1/notices/[redacted]") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        output = server.output()
    assert code not in output and UNKNOWN not in output
    assert output.count('"GET /v1/notices/[redacted] HTTP/1.1" 200') == 1
    assert output.count('"POST /v1/notices/[redacted]/appeal HTTP/1.1"') == 1
    assert output.count('"GET /v1/notices/[redacted] HTTP/1.1" 404') == 1
    assert '"POST /v1/notices HTTP/1.1" 201' in output
