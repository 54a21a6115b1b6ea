"""Every route and command that takes an image refuses a bomb from its header.

A 12,000 × 12,000 PNG of a few kilobytes once took 9.5 s and 4.3 GB to hash in
``POST /v1/notices`` (no key needed) and was accepted. Each route and command
is listed here with what it answers for the same file: 413 (HTTP) or exit 2
with one line (CLI), as ``/v1/screen`` does; the server's peak memory stays
far below what decoding the file would take.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.served import Served, served
from tests.api.server import cli, server_env
from tests.images.bombs import BOMB_SIDE, png_bomb, png_bomb_file

pytestmark = pytest.mark.slow

PEAK_RSS_LIMIT = 1_500_000_000  # decoding one bomb to RGB and luma takes about 4 GB
BOMB = base64.b64encode(png_bomb()).decode()
SAID = f"{BOMB_SIDE:,}×{BOMB_SIDE:,} pixels"


def notice(images: int) -> dict[str, Any]:
    return {
        "kind": "take_it_down",
        "signature": "/s/ Sam Example",
        "items": [{"image": BOMB} for _ in range(images)],
        "good_faith_statement": True,
        "contact_info": {"name": "Sam Example", "email": "sam@mail.example"},
        "submitted_by_role": "self",
    }


ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("screen", "/v1/screen", {"mode": "upload", "source_image": BOMB}),
    ("hash", "/v1/hash", {"image": BOMB}),
    ("match", "/v1/match", {"image": BOMB}),
    ("bank entry", "/v1/banks/ncii/entries", {"image": BOMB}),
    ("notice (no key)", "/v1/notices", notice(1)),
    ("notice of five images", "/v1/notices", notice(5)),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bombs")
    values = server_env(f"sqlite:///{folder / 'store.db'}", CONSENTGATE_NOTICE_RATE_BURST="100")
    made = cli("bank", "create", "ncii", "--kind", "ncii", env=values)
    assert made.returncode == 0, made.stderr
    return values


@pytest.fixture(scope="module")
def server(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(env, tmp_path_factory.mktemp("log") / "serve.log") as running:
        yield running


@pytest.fixture(scope="module")
def key(env: dict[str, str]) -> dict[str, str]:
    made = cli("keys", "create", "--scope", "admin", "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


@pytest.mark.parametrize(("what", "path", "body"), ROUTES, ids=[r[0] for r in ROUTES])
def test_when_a_route_is_sent_a_png_bomb_then_413_from_its_header_without_big_memory(
    server: Served, key: dict[str, str], what: str, path: str, body: dict[str, Any]
) -> None:
    headers = {} if path == "/v1/notices" else key
    answer = httpx.post(server.url + path, json=body, headers=headers, timeout=60)
    assert answer.status_code == 413, f"{what}: {answer.status_code} {answer.text[:300]}"
    assert answer.headers["content-type"] == "application/problem+json"
    assert SAID in answer.json()["detail"]
    assert server.peak_rss_bytes() < PEAK_RSS_LIMIT


def test_when_a_notice_has_five_bombs_then_each_image_is_named(
    server: Served, key: dict[str, str]
) -> None:
    answer = httpx.post(server.url + "/v1/notices", json=notice(5), timeout=60)
    assert answer.status_code == 413
    named = [e["field"] for e in answer.json()["errors"]]
    assert named == [f"items.{n}.image" for n in range(5)]


def _notice_file(folder: Path) -> Path:
    path = folder / "notice.json"
    path.write_text(json.dumps(notice(1)))
    return path


COMMANDS = [
    ("hash", lambda f: ["hash", str(png_bomb_file(f))]),
    ("match", lambda f: ["match", str(png_bomb_file(f))]),
    ("bank add", lambda f: ["bank", "add", "ncii", "--image", str(png_bomb_file(f))]),
    ("screen", lambda f: ["screen", "--mode", "upload", "--image", str(png_bomb_file(f))]),
    ("notice submit", lambda f: ["notice", "submit", str(_notice_file(f))]),
]


@pytest.mark.parametrize(("what", "argv"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_when_a_command_is_given_a_png_bomb_then_exit_2_with_one_line(
    env: dict[str, str], tmp_path: Path, what: str, argv: Any
) -> None:
    done = cli(*argv(tmp_path), env=env)
    assert done.returncode == 2, f"{what}: {done.returncode} {done.stdout[:200]} {done.stderr}"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and SAID in lines[0], done.stderr
