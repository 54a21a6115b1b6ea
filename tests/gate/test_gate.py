"""The Python API with fake detectors: image forms, bad input, batches, closing, independence."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from consentgate import (
    BadInput,
    ConfigError,
    ConsentGateError,
    Gate,
    Label,
    ScreenRequest,
    Settings,
    Target,
    TooLarge,
    UnsupportedMedia,
)
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from tests.fakes import CoversAllFake, FixedFake, KeywordFake
from tests.images.bombs import BOMB_SIDE, png_bomb, png_bomb_file

WORDS = {"bikini": Label.SEXUALISING_EDIT, "naked": Label.SEXUAL_EXPLICIT}
SOURCE = frozenset({Target.SOURCE_IMAGE})


class ClosingEngine(ScreeningEngine):
    """Counts ``close`` calls, so a test sees the gate close what it holds."""

    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


def fake_engine(settings: Settings) -> ClosingEngine:
    """Prompt words, plus a detector that fires only when a source image was decoded."""
    registry = DetectorRegistry(
        [
            CoversAllFake(),
            KeywordFake("words", WORDS),
            FixedFake("source_seen", [(Label.REAL_PERSON, Target.SOURCE_IMAGE)], targets=SOURCE),
        ]
    )
    return ClosingEngine(registry, load_policy(), settings=settings)


def settings_in(folder: Path, **values: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{folder / 'consentgate.db'}", **values)


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[Gate]:
    settings = settings_in(tmp_path)
    with Gate(settings, engine=fake_engine(settings)) as g:
        yield g


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 150, 120)).save(out, format="JPEG")
    return out.getvalue()


def photo_file(folder: Path) -> Path:
    path = folder / "photo.jpg"
    path.write_bytes(photo_bytes())
    return path


ImageMaker = Callable[[Path], object]

IMAGE_FORMS: list[tuple[str, ImageMaker]] = [
    ("str path", lambda d: str(photo_file(d))),
    ("Path", photo_file),
    ("bytes", lambda d: photo_bytes()),
    ("bytearray", lambda d: bytearray(photo_bytes())),
    ("memoryview", lambda d: memoryview(photo_bytes())),
    ("PIL RGB", lambda d: Image.new("RGB", (64, 48), "tan")),
    ("PIL RGBA", lambda d: Image.new("RGBA", (64, 48), "tan")),
    ("PIL CMYK", lambda d: Image.new("CMYK", (64, 48))),
    ("PIL opened from a file", lambda d: Image.open(photo_file(d))),
]


@pytest.mark.parametrize(("form", "make"), IMAGE_FORMS, ids=[f for f, _ in IMAGE_FORMS])
def test_when_source_image_is_given_in_any_form_then_the_engine_sees_it_decoded(
    gate: Gate, tmp_path: Path, form: str, make: ImageMaker
) -> None:
    d = gate.screen(mode="edit", prompt="make it sunnier", source_image=make(tmp_path))  # type: ignore[arg-type]
    assert [s.detector for s in d.signals] == ["source_seen"], form


@pytest.mark.parametrize(
    ("mode", "prompt", "verdict", "rules"),
    [
        ("edit", "put her in a bikini", "block", ["R3"]),
        ("edit", "put her in a wedding dress", "allow", ["R0"]),
        ("generate", "a naked elf", "block", ["R6"]),
        ("generate", "a lighthouse", "allow", ["R0"]),
    ],
)
def test_when_prompt_is_screened_then_the_decision_is_the_engines(
    gate: Gate, mode: str, prompt: str, verdict: str, rules: list[str]
) -> None:
    d = gate.screen(mode=mode, prompt=prompt, id="r-1")
    assert (d.decision, [r.rule for r in d.reasons], d.request_id) == (verdict, rules, "r-1")


BAD: list[tuple[str, Callable[[Path], dict[str, Any]], type[BadInput], str]] = [
    ("missing path", lambda d: {"source_image": str(d / "nope.jpg")}, BadInput, "no image file at"),
    ("a folder", lambda d: {"source_image": d}, BadInput, "no image file at"),
    ("bomb file", lambda d: {"source_image": png_bomb_file(d)}, TooLarge, "pixels"),
    ("bomb bytes", lambda d: {"source_image": png_bomb()}, TooLarge, "pixels"),
    (
        "bomb PIL image",
        lambda d: {"source_image": Image.new("1", (BOMB_SIDE, BOMB_SIDE))},
        TooLarge,
        "pixels",
    ),
    ("not an image", lambda d: {"output_image": b"hello world"}, UnsupportedMedia, "unsupported"),
    ("empty bytes", lambda d: {"output_image": b""}, BadInput, "empty"),
    ("an int", lambda d: {"source_image": 42}, BadInput, "not int"),
    ("wrong mode", lambda d: {"mode": "paint"}, BadInput, "mode"),
    ("wrong subject", lambda d: {"subject": "celebrity"}, BadInput, "subject"),
]


@pytest.mark.parametrize(("case", "values", "error", "words"), BAD, ids=[b[0] for b in BAD])
def test_when_input_is_bad_then_a_typed_error_says_why(
    gate: Gate,
    tmp_path: Path,
    case: str,
    values: Callable[[Path], dict[str, Any]],
    error: type[BadInput],
    words: str,
) -> None:
    with pytest.raises(error) as caught:
        gate.screen(prompt="a cat", **values(tmp_path))
    assert type(caught.value) is error and words in caught.value.message, case


def test_when_nothing_is_given_then_bad_input(gate: Gate) -> None:
    with pytest.raises(BadInput, match="give a prompt"):
        gate.screen(mode="edit")


def test_when_path_is_over_the_byte_limit_then_too_large_before_reading(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, max_image_bytes=100)
    with Gate(settings, engine=fake_engine(settings)) as g, pytest.raises(TooLarge, match="100"):
        g.screen(mode="edit", prompt="x", source_image=photo_file(tmp_path))


def test_when_batch_mixes_records_and_dicts_then_decisions_come_in_order(
    gate: Gate, tmp_path: Path
) -> None:
    requests = [
        {"id": "a", "mode": "edit", "prompt": "put her in a bikini"},
        ScreenRequest(id="b", prompt="a lighthouse"),
        {"id": "c", "mode": "edit", "prompt": "sunnier", "source_image": photo_file(tmp_path)},
    ]
    got = [(d.request_id, d.decision) for d in gate.screen_many(requests)]
    assert got == [("a", "block"), ("b", "allow"), ("c", "allow")]


def test_when_batch_item_is_bad_then_bad_input_names_it_after_the_good_ones(gate: Gate) -> None:
    decisions = gate.screen_many([{"prompt": "a cat"}, {"prompt": "a dog", "colour": "red"}])
    assert next(decisions).decision == "allow"
    with pytest.raises(BadInput, match=r"^request 1: .*colour"):
        next(decisions)


def test_when_gate_leaves_its_with_block_then_engine_is_closed_and_gate_refuses(
    tmp_path: Path,
) -> None:
    settings = settings_in(tmp_path)
    engine = fake_engine(settings)
    with Gate(settings, engine=engine) as g:
        g.screen(prompt="a cat")
    g.close()  # a second close is harmless
    assert engine.closed == 1
    with pytest.raises(ConsentGateError, match="closed"):
        g.screen(prompt="a cat")


def test_when_two_gates_differ_in_adult_mode_then_each_decides_by_its_own(
    tmp_path: Path,
) -> None:
    adult_settings = settings_in(tmp_path, adult_mode=True)
    plain_settings = settings_in(tmp_path)
    with (
        Gate(adult_settings, engine=fake_engine(adult_settings)) as adult,
        Gate(plain_settings, engine=fake_engine(plain_settings)) as plain,
    ):
        verdicts = [g.screen(prompt="a naked elf").decision for g in (adult, plain, adult)]
    assert verdicts == ["allow", "block", "allow"]


def test_when_two_gates_differ_in_image_limits_then_each_applies_its_own(
    tmp_path: Path,
) -> None:
    small_settings = settings_in(tmp_path, max_image_pixels=1000)
    plain_settings = settings_in(tmp_path)
    photo = photo_bytes()  # 64 × 48 = 3,072 pixels
    with (
        Gate(small_settings, engine=fake_engine(small_settings)) as small,
        Gate(plain_settings, engine=fake_engine(plain_settings)) as plain,
    ):
        assert plain.screen(mode="upload", source_image=photo).decision == "allow"
        with pytest.raises(TooLarge):
            small.screen(mode="upload", source_image=photo)
        again = plain.screen(mode="upload", source_image=photo)  # the same bytes, seen before
    assert again.decision == "allow"


def test_when_import_consentgate_then_the_engine_is_not_loaded_until_gate_is_named() -> None:
    code = (
        "import sys, consentgate; assert 'consentgate.engine' not in sys.modules; "
        "consentgate.Gate; assert 'consentgate.engine' in sys.modules; "
        "missing = [n for n in consentgate.__all__ if getattr(consentgate, n, None) is None]; "
        "assert not missing, missing"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_when_environment_setting_is_invalid_then_gate_raises_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSENTGATE_MAX_IMAGE_BYTES", "-5")
    with pytest.raises(ConfigError, match="CONSENTGATE_MAX_IMAGE_BYTES"):
        Gate()
