"""The people development set: read its manifest and fetch its images.

The set is ordinary photos of people from the public sample images of six
face projects (data/people/manifest.csv names each file by repository, path
and commit, with its sha256). The images stay outside the repository: they
are other people's files and we only need them to measure, so this script
puts them in a local directory and refuses any file whose hash differs from
the manifest (a moved tag, a re-encoded copy or a truncated download would
silently change every figure measured on the set).

    python scripts/people_set.py fetch --from-github                  # needs internet
    python scripts/people_set.py fetch --from-mirrors /path/to/mirrors  # local git copies
    python scripts/people_set.py check                                 # all files present?

Default directory: $CONSENTGATE_PEOPLE_DIR, else ../shared/data/people/ next to
the repository. Files land as DIR/<owner>+<name>/<path>.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "data" / "people" / "manifest.csv"
ENV_DIR = "CONSENTGATE_PEOPLE_DIR"
AGES = ("adult", "teen", "child")
UNKNOWN = "unknown"  # a face boxed but too small or too hidden to judge its age by eye
BOX_AGES = (*AGES, UNKNOWN)
SCENES = ("portrait", "group", "crowd", "sport", "beach", "wedding", "school", "family", "other")
COLUMNS = (
    "repo", "path", "commit", "sha256", "width", "height", "people", "faces", "adults",
    "teens", "children", "scene", "profile", "occluded", "small", "nonhuman", "quality",
    "face_boxes", "unboxed", "notes",
)  # fmt: skip
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


class SetError(Exception):
    """A file of the set is missing or is not the file the manifest names."""


@dataclass(frozen=True, slots=True)
class FaceBox:
    """One labelled face: approximate box in original pixels and apparent age group."""

    x: int
    y: int
    w: int
    h: int
    age: str


@dataclass(frozen=True, slots=True)
class Photo:
    repo: str
    path: str
    commit: str
    sha256: str
    width: int
    height: int
    people: int
    faces: tuple[FaceBox, ...]
    scene: str
    profile: bool
    occluded: bool
    small: bool
    nonhuman: str
    quality: str
    notes: str
    unboxed: str = ""  # the youngest apparent age of the people counted without a face box

    @property
    def local_name(self) -> str:
        return f"{self.repo.replace('/', '+')}/{self.path}"

    def count(self, age: str) -> int:
        return sum(f.age == age for f in self.faces)

    @property
    def group(self) -> str:
        """``child``, ``teen`` or ``adult``: the youngest age judged by eye in the photo,
        faces and people without a face box alike; ``unjudged`` when people are shown but
        no age could be judged; ``no_person`` when nobody is shown."""
        ages = {f.age for f in self.faces} | {self.unboxed}
        found = next((age for age in ("child", "teen", "adult") if age in ages), None)
        if found:
            return found
        return "unjudged" if self.people else "no_person"


def parse_boxes(text: str) -> tuple[FaceBox, ...]:
    boxes = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        x, y, w, h, age = part.split()
        boxes.append(FaceBox(int(x), int(y), int(w), int(h), age))
    return tuple(boxes)


def photo_of(row: dict[str, str]) -> Photo:
    return Photo(
        repo=row["repo"], path=row["path"], commit=row["commit"], sha256=row["sha256"],
        width=int(row["width"]), height=int(row["height"]), people=int(row["people"]),
        faces=parse_boxes(row["face_boxes"]), scene=row["scene"],
        profile=row["profile"] == "1", occluded=row["occluded"] == "1",
        small=row["small"] == "1", nonhuman=row["nonhuman"], quality=row["quality"],
        notes=row["notes"], unboxed=row["unboxed"],
    )  # fmt: skip


def read_manifest(path: Path = MANIFEST) -> list[Photo]:
    with path.open(newline="", encoding="utf-8") as f:
        return [photo_of(row) for row in csv.DictReader(f)]


def default_dir() -> Path:
    return Path(os.environ.get(ENV_DIR) or ROOT.parent / "shared" / "data" / "people")


def present(photo: Photo, dest: Path) -> bool:
    target = dest / photo.local_name
    return target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == photo.sha256


def store(photo: Photo, data: bytes, dest: Path) -> None:
    digest = hashlib.sha256(data).hexdigest()
    if digest != photo.sha256:
        raise SetError(f"{photo.repo}:{photo.path}: sha256 {digest} is not {photo.sha256}")
    target = dest / photo.local_name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


def mirror_dir(mirrors: Path, repo: str) -> Path:
    """A local git copy: <mirrors>/<owner>+<name>[/repo] or <mirrors>/<owner>/<name>[.git]."""
    owner, name = repo.split("/")
    for candidate in (
        mirrors / f"{owner}+{name}" / "repo",
        mirrors / f"{owner}+{name}",
        mirrors / owner / f"{name}.git",
        mirrors / owner / name,
    ):
        if candidate.is_dir():
            return candidate
    raise SetError(f"no git copy of {repo} under {mirrors}")


def from_mirrors(photos: Iterable[Photo], mirrors: Path, dest: Path) -> int:
    fetched = 0
    for photo in photos:
        if present(photo, dest):
            continue
        git_dir = mirror_dir(mirrors, photo.repo)
        shown = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{photo.commit}:{photo.path}"],
            capture_output=True,
            check=False,
        )
        if shown.returncode != 0:
            raise SetError(f"{photo.repo}:{photo.path}: {shown.stderr.decode().strip()}")
        store(photo, shown.stdout, dest)
        fetched += 1
    return fetched


def from_github(photos: Iterable[Photo], dest: Path, client: httpx.Client) -> int:
    """Download each file at its pinned commit (never a branch, so it cannot drift)."""
    fetched = 0
    for photo in photos:
        if present(photo, dest):
            continue
        url = RAW_URL.format(repo=photo.repo, commit=photo.commit, path=quote(photo.path))
        response = client.get(url)
        if response.status_code != 200:
            raise SetError(f"{url}: HTTP {response.status_code}")
        store(photo, response.content, dest)
        fetched += 1
    return fetched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="put the set's images in a local directory")
    source = fetch.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-mirrors", type=Path, metavar="DIR", help="local git copies")
    source.add_argument("--from-github", action="store_true", help="raw.githubusercontent.com")
    fetch.add_argument("--to", type=Path, default=None, help=f"default: ${ENV_DIR}")
    check = commands.add_parser("check", help="are all images present and intact?")
    check.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    photos = read_manifest()
    try:
        if args.command == "check":
            dest = args.dir or default_dir()
            missing = [p.local_name for p in photos if not present(p, dest)]
            print(f"{len(photos) - len(missing)} of {len(photos)} images present in {dest}")
            for name in missing[:10]:
                print(f"  missing or changed: {name}", file=sys.stderr)
            return 1 if missing else 0
        dest = args.to or default_dir()
        if args.from_mirrors is not None:
            count = from_mirrors(photos, args.from_mirrors, dest)
        else:
            with httpx.Client(timeout=60.0, follow_redirects=True) as client:
                count = from_github(photos, dest, client)
    except SetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{count} fetched, {len(photos)} in the set, directory {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
