"""The real face finder (YuNet + BlazeFace check), offline, on scikit-image samples.

Groups are drawn by tiling crops of the astronaut's head at several sizes
into one canvas, so every face's place is known.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from consentgate.detectors.vision.blazeface_finder import BlazeFaceFinder
from consentgate.detectors.vision.face_finder import FaceFinder
from consentgate.detectors.vision.persons import centre, inside
from consentgate.images.decoded import DecodedImage
from consentgate.images.intake import decode_image

pytestmark = pytest.mark.slow

Box = tuple[float, float, float, float]
HEAD = (150, 40, 300, 210)  # the astronaut's head, hair to chin, in her 512 px photo


@cache
def finder() -> FaceFinder:
    return FaceFinder.load()


def decoded(img: Image.Image) -> DecodedImage:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return decode_image(buf.getvalue())


def sample(name: str) -> DecodedImage:
    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return decoded(Image.fromarray(array))


def group(widths: list[int], canvas: int = 1024) -> tuple[DecodedImage, list[Box]]:
    """Heads of the given widths in rows on a grey canvas; their boxes in working pixels."""
    head = Image.fromarray(data.astronaut()).crop(HEAD)
    img = Image.new("RGB", (canvas, canvas), (200, 200, 190))
    x, y, row, boxes = 8, 8, 0, []
    for width in widths:
        height = round(width * head.height / head.width)
        if x + width > canvas:
            x, y, row = 8, y + row + 8, 0
        img.paste(head.resize((width, height)), (x, y))
        boxes.append((x, y, x + width, y + height))
        x, row = x + width + 8, max(row, height)
    image = decoded(img)
    return image, [tuple(v * image.scale for v in box) for box in boxes]  # type: ignore[misc]


@pytest.mark.parametrize(("name", "count"), [("astronaut", 1), ("camera", 1)])
def test_when_photo_of_one_person_then_one_face(name: str, count: int) -> None:
    (frame,) = finder().faces(sample(name))
    assert len(frame.faces) == count


@pytest.mark.parametrize("name", ["chelsea", "coffee", "rocket"])
def test_when_cat_cup_or_rocket_then_no_face(name: str) -> None:
    (frame,) = finder().faces(sample(name))
    assert frame.faces == ()


@pytest.mark.parametrize(
    "widths",
    [
        [24, 32, 48, 64, 96, 128, 160] * 2,  # mixed sizes: 12 to 80 px in the working copy
        [40, 56, 80, 112, 200],
        [36] * 40,  # a crowd: faces of about 11 px in the working copy
    ],
)
def test_when_drawn_group_then_every_face_found_once(widths: list[int]) -> None:
    image, heads = group(widths)
    (frame,) = finder().faces(image)
    holders = [
        [i for i, head in enumerate(heads) if inside(centre(f.box), head)] for f in frame.faces
    ]
    assert all(len(held) == 1 for held in holders)  # every face found is on one head
    assert sorted(held[0] for held in holders) == list(range(len(heads)))  # each head once


def test_when_face_found_then_keypoints_are_eyes_nose_mouth_inside_the_box() -> None:
    ((face,),) = (frame.faces for frame in finder().faces(sample("astronaut")))
    right_eye, left_eye, nose, mouth = face.keypoints[:4]
    assert right_eye[0] < nose[0] < left_eye[0]  # the person's right eye is on the image's left
    assert max(right_eye[1], left_eye[1]) < nose[1] < mouth[1]
    assert all(inside(point, face.box) for point in face.keypoints)


def test_when_the_previous_finder_runs_beside_then_both_answer_from_their_own_memo() -> None:
    image = sample("astronaut")
    (new,) = finder().faces(image)
    (old,) = BlazeFaceFinder.load().faces(image)
    assert len(new.faces) == len(old.faces) == 1
    assert new.faces[0].keypoints != old.faces[0].keypoints


def test_when_yunet_runs_in_a_pool_thread_then_it_starts_no_openmp_workers() -> None:
    """OpenMP's thread count is per calling thread: set in each, or one worker per core."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        pytest.skip("needs /proc")
    frame = sample("astronaut").frames[0]
    counts: list[int] = []

    def look() -> None:
        counts.append(len(list(tasks.iterdir())))
        finder().frame_faces(frame)
        counts.append(len(list(tasks.iterdir())))  # a worker would still be alive here

    caller = threading.Thread(target=look)
    caller.start()
    caller.join()
    assert counts[1] == counts[0]
