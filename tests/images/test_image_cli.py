"""The CLI end to end, as a person runs it: real models, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

CLI = str(Path(sys.executable).with_name("consentgate"))

pytestmark = pytest.mark.slow


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


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
    """With every signal asked for, the face is listed; by default the face and age models
    are skipped beside a benign prompt and image, and the decision is the same."""
    args = ("screen", "--mode", "edit", "--prompt", "make it sunnier",
            "--image", str(photos / "astronaut.png"), "--json")  # fmt: skip
    every = run(*args, env={"CONSENTGATE_ALL_SIGNALS": "true"})
    assert every.returncode == 0, every.stderr
    decision = json.loads(every.stdout)
    assert decision["decision"] == "allow"
    people = [s for s in decision["signals"] if s["label"] == "real_person"]
    assert people and people[0]["target"] == "source_image"
    assert people[0]["evidence"][0]["box"]["width"] > 50
    assert every.stderr == ""
    lean = json.loads(run(*args).stdout)
    assert (lean["decision"], lean["reasons"]) == (decision["decision"], decision["reasons"])
    assert {t["detector"] for t in lean["timings"]} & {"faces", "age"} == set()


def test_when_output_image_given_then_both_images_screened(photos: Path) -> None:
    args = ("screen", "--mode", "edit", "--prompt", "make it sunnier",
            "--image", str(photos / "astronaut.png"),
            "--output-image", str(photos / "result.png"), "--json")  # fmt: skip
    done = run(*args, env={"CONSENTGATE_ALL_SIGNALS": "true"})
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["decision"] == "allow"
    timed = {t["detector"] for t in decision["timings"]}
    assert {"faces", "age", "nsfw_score", "nudity"} <= timed
    lean = json.loads(run(*args).stdout)
    assert lean["decision"] == "allow"
    assert {"nsfw_score", "nudity"} <= {t["detector"] for t in lean["timings"]}


def test_when_the_edit_asks_to_undress_then_faces_and_age_are_read(photos: Path) -> None:
    done = run(
        "screen", "--mode", "edit", "--prompt", "remove her clothes",
        "--image", str(photos / "astronaut.png"), "--json",
    )  # fmt: skip
    decision = json.loads(done.stdout)
    print(decision)
    assert decision["decision"] == "block"
    assert {"faces", "age"} <= {t["detector"] for t in decision["timings"]}
    assert any(s["label"] == "real_person" for s in decision["signals"])


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
