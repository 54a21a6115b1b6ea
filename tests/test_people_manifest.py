"""The people development set's manifest is well formed, and fetching checks every hash.

The manifest is hand-labelled; these tests catch the slips that would quietly
skew a benchmark (a count that disagrees with the boxes, a box outside the
image, a photo listed twice, a source outside the six allowed projects).
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import people_set  # noqa: E402
from people_set import AGES, BOX_AGES, COLUMNS, MANIFEST, SCENES, Photo, SetError  # noqa: E402

ALLOWED_REPOS = {
    "davisking/dlib", "ageitgey/face_recognition", "serengil/deepface",
    "timesler/facenet-pytorch", "TencentARC/GFPGAN", "sczhou/CodeFormer",
}  # fmt: skip
PHOTOS = people_set.read_manifest()


def rows() -> list[dict[str, str]]:
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_when_the_manifest_is_read_then_its_columns_are_the_documented_ones() -> None:
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == COLUMNS


def test_when_the_manifest_is_read_then_it_holds_over_a_hundred_photos() -> None:
    assert len(PHOTOS) >= 100


@pytest.mark.parametrize("key", ["sha256", "repo+path"])
def test_when_rows_are_compared_then_no_photo_is_listed_twice(key: str) -> None:
    values = [r["sha256"] if key == "sha256" else f"{r['repo']}:{r['path']}" for r in rows()]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("row", rows(), ids=lambda r: f"{r['repo']}:{r['path']}")
def test_when_a_row_is_checked_then_its_fields_and_labels_are_valid(row: dict[str, str]) -> None:
    assert row["repo"] in ALLOWED_REPOS
    assert len(row["commit"]) == 40 and int(row["commit"], 16) >= 0
    assert len(row["sha256"]) == 64 and int(row["sha256"], 16) >= 0
    assert row["scene"] in SCENES
    assert {row[k] for k in ("profile", "occluded", "small")} <= {"0", "1"}
    assert row["quality"]
    boxes = people_set.parse_boxes(row["face_boxes"])
    width, height = int(row["width"]), int(row["height"])
    for box in boxes:
        assert box.age in BOX_AGES
        assert box.w > 0 and box.h > 0
        assert box.x >= 0 and box.y >= 0
        assert box.x + box.w <= width and box.y + box.h <= height
    assert int(row["faces"]) == len(boxes)
    counts = (int(row["adults"]), int(row["teens"]), int(row["children"]))
    assert counts == tuple(sum(b.age == age for b in boxes) for age in AGES)
    assert int(row["people"]) >= len(boxes)
    # people without a face box carry the youngest age seen among them, and only they do
    assert (row["unboxed"] in BOX_AGES) == (int(row["people"]) > len(boxes))
    assert row["unboxed"] == "" or int(row["people"]) > len(boxes)


@pytest.mark.parametrize(
    ("faces", "unboxed", "people", "group"),
    [
        (("adult", "child"), "", 2, "child"),
        (("adult",), "teen", 2, "teen"),
        (("adult", "unknown"), "", 2, "adult"),
        ((), "adult", 9, "adult"),
        (("unknown",), "unknown", 3, "unjudged"),
        ((), "", 0, "no_person"),
    ],
)
def test_when_a_photo_is_grouped_then_the_youngest_age_judged_by_eye_decides(
    faces: tuple[str, ...], unboxed: str, people: int, group: str
) -> None:
    boxes = tuple(people_set.FaceBox(0, 0, 1, 1, age) for age in faces)
    base = photo(b"x")
    labelled = Photo(**{**{f: getattr(base, f) for f in base.__slots__},
                        "faces": boxes, "unboxed": unboxed, "people": people})  # fmt: skip
    assert labelled.group == group


def test_when_the_set_is_summed_then_it_has_adults_teens_children_and_no_person_photos() -> None:
    totals = {age: sum(p.count(age) for p in PHOTOS) for age in AGES}
    assert all(totals[age] > 0 for age in AGES)
    assert any(not p.faces and p.nonhuman for p in PHOTOS)


def photo(data: bytes) -> Photo:
    return Photo(
        repo="owner/name", path="dir/a b.jpg", commit="c" * 40,
        sha256=hashlib.sha256(data).hexdigest(), width=1, height=1, people=1, faces=(),
        scene="portrait", profile=False, occluded=False, small=False, nonhuman="",
        quality="good", notes="",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("served", "status", "error"),
    [(b"image bytes", 200, None), (b"other bytes", 200, "sha256"), (b"", 404, "HTTP 404")],
)
def test_when_github_serves_a_file_then_it_is_kept_only_if_its_hash_matches(
    tmp_path: Path, served: bytes, status: int, error: str | None
) -> None:
    wanted = photo(b"image bytes")
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(status, content=served)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        if error is None:
            assert people_set.from_github([wanted], tmp_path, client) == 1
            assert (tmp_path / "owner+name/dir/a b.jpg").read_bytes() == b"image bytes"
            assert people_set.from_github([wanted], tmp_path, client) == 0  # already there
        else:
            with pytest.raises(SetError, match=error):
                people_set.from_github([wanted], tmp_path, client)
            assert not (tmp_path / "owner+name/dir/a b.jpg").exists()
    assert urls[0] == f"https://raw.githubusercontent.com/owner/name/{'c' * 40}/dir/a%20b.jpg"


@pytest.mark.parametrize("tampered", [False, True])
def test_when_a_mirror_holds_the_file_then_it_is_extracted_at_the_pinned_commit(
    tmp_path: Path, tampered: bool
) -> None:
    work = tmp_path / "work"
    (work / "dir").mkdir(parents=True)
    (work / "dir/a b.jpg").write_bytes(b"image bytes")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    (work / ".git").rename(mirrors / "owner+name")
    wanted = photo(b"other bytes" if tampered else b"image bytes")
    wanted = Photo(**{**{f: getattr(wanted, f) for f in wanted.__slots__}, "commit": commit})
    dest = tmp_path / "set"
    if tampered:
        with pytest.raises(SetError, match="sha256"):
            people_set.from_mirrors([wanted], mirrors, dest)
    else:
        assert people_set.from_mirrors([wanted], mirrors, dest) == 1
        assert people_set.present(wanted, dest)
