"""``Gate.match``: bank hits from the gate's own store, for every form of image."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from consentgate import BankHit, Gate, Settings
from consentgate.hashing.image import hash_image_bytes
from tests.gate.test_gate import fake_engine, settings_in


def astronaut_jpeg(size: int = 512, quality: int = 92) -> bytes:
    out = io.BytesIO()
    Image.fromarray(data.astronaut()).resize((size, size)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def gate_with_bank(folder: Path, enrolled: bytes | None) -> Gate:
    """A gate over its own SQLite store in ``folder``, with ``enrolled`` in an ncii bank."""
    settings: Settings = settings_in(folder)
    gate = Gate(settings, engine=fake_engine(settings))
    if enrolled is not None:
        hashes = hash_image_bytes(enrolled)
        service = gate.banks().service
        service.create_bank("victims", "ncii")
        service.add_entry("victims", pdq=hashes.pdq, pdq_quality=hashes.quality, md5=hashes.md5)
    return gate


def copy_file(folder: Path) -> Path:
    path = folder / "upload.jpg"
    path.write_bytes(astronaut_jpeg(384, 70))
    return path


FORMS: list[tuple[str, Callable[[Path], object]]] = [
    ("str path", lambda d: str(copy_file(d))),
    ("Path", copy_file),
    ("bytes", lambda d: astronaut_jpeg(384, 70)),
    ("PIL image", lambda d: Image.fromarray(data.astronaut()).resize((384, 384))),
]


@pytest.mark.parametrize(("form", "make"), FORMS, ids=[f for f, _ in FORMS])
def test_when_a_copy_of_an_enrolled_photo_is_matched_then_its_bank_entry_is_hit(
    tmp_path: Path, form: str, make: Callable[[Path], object]
) -> None:
    with gate_with_bank(tmp_path, astronaut_jpeg()) as gate:
        hits = gate.match(make(tmp_path))  # type: ignore[arg-type]
    assert [(h.bank, h.bank_kind, h.hash_type) for h in hits] == [("victims", "ncii", "pdq")]
    assert all(isinstance(h, BankHit) and h.distance <= 31 for h in hits), form


def test_when_the_image_is_turned_then_only_dihedral_matching_finds_it(tmp_path: Path) -> None:
    turned = Image.fromarray(data.astronaut()).transpose(Image.Transpose.ROTATE_90)
    with gate_with_bank(tmp_path, astronaut_jpeg()) as gate:
        found = [len(gate.match(turned, dihedral=d)) for d in (True, False)]
    assert found == [1, 0]


def test_when_two_gates_have_different_stores_then_one_sees_only_its_own_banks(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        gate_with_bank(tmp_path / "a", astronaut_jpeg()) as enrolled,
        gate_with_bank(tmp_path / "b", None) as empty,
    ):
        counts = [len(g.match(astronaut_jpeg(384, 70))) for g in (enrolled, empty, enrolled)]
    assert counts == [1, 0, 1]
