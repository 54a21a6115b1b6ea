"""The CLI end to end, as a person runs it: real models, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

CLI = str(Path(sys.executable).with_name("consentgate"))

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    Image.fromarray(data.astronaut()).save(folder / "astronaut.png")
    Image.fromarray(data.chelsea()).save(folder / "result.png")
    good = (folder / "astronaut.png").read_bytes()
    (folder / "corrupt.png").write_bytes(good[: len(good) // 3])
    (folder / "page.jpg").write_bytes(b"<!DOCTYPE html><html><body>not a photo</body></html>")
    return folder


def test_when_sunnier_edit_of_astronaut_then_allow_with_real_person(photos: Path) -> None:
    done = run(
        "screen", "--mode", "edit", "--prompt", "make it sunnier",
        "--image", str(photos / "astronaut.png"), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["decision"] == "allow"
    people = [s for s in decision["signals"] if s["label"] == "real_person"]
    assert people and people[0]["target"] == "source_image"
    assert people[0]["evidence"][0]["box"]["width"] > 50
    assert done.stderr == ""


def test_when_output_image_given_then_both_images_screened(photos: Path) -> None:
    done = run(
        "screen", "--mode", "edit", "--prompt", "make it sunnier",
        "--image", str(photos / "astronaut.png"),
        "--output-image", str(photos / "result.png"), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["decision"] == "allow"
    timed = {t["detector"] for t in decision["timings"]}
    assert {"faces", "age", "nsfw_score"} <= timed


@pytest.mark.parametrize(
    ("name", "says"), [("corrupt.png", "truncated or corrupt"), ("page.jpg", "HTML")]
)
def test_when_image_unreadable_then_exit_2_and_one_line_error(
    photos: Path, name: str, says: str
) -> None:
    done = run("screen", "--mode", "edit", "--prompt", "x", "--image", str(photos / name))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr
    assert "Traceback" not in done.stderr
