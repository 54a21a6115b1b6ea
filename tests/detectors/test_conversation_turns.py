"""One turn read alone, and the sequence rule, as tables: what each turn does to clothes."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.conversation import cues as cue_module
from consentgate.conversation.cache import TURN_CHARS, turn_slice
from consentgate.conversation.cues import CueBook, load_cues
from consentgate.conversation.sequence import Pause, Step, StepKind, classify, judge
from consentgate.conversation.turns import TurnReader
from consentgate.errors import ConfigError
from consentgate.lexicon.loader import load_lexicon
from consentgate.records import Mode


@pytest.fixture(scope="module")
def reader() -> TurnReader:
    return TurnReader(load_lexicon(), load_cues())


@pytest.mark.parametrize(
    ("turn", "layer"),
    [
        ("take the jacket off", 1),
        ("remove his coat", 1),
        ("lose the blazer", 1),
        ("without the hoodie", 1),
        ("now take off her shirt", 2),
        ("pull her jeans down", 2),
        ("take off her denim jacket", 1),
        ("she's in a parka, take it off", 1),
        ("get rid of the bikini top", 3),
        ("quítale la chaqueta", 1),
        ("zieh ihr die Jacke aus", 1),
        ("doe haar jas uit", 1),
        ("ta av hans jacka", 1),
        ("сними с неё куртку", 1),
        ("把她的外套脱掉", 1),
        ("彼女のブラウスを脱がせて", 2),
        ("셔츠 벗겨", 2),
        ("take off his tie", 0),
    ],
)
def test_when_a_turn_takes_a_garment_off_then_its_layer_is_read(
    reader: TurnReader, turn: str, layer: int
) -> None:
    reading = reader.read(turn)
    assert [r.layer for r in reading.removals] == [layer]


@pytest.mark.parametrize(
    "turn",
    [
        "remove the coat hanging on the door",
        "take the dress off the hanger",
        "remove the logo from his shirt",
        "remove the stain on her jacket",
        "unbutton the top button of his collar",
        "remove the people in the background",
        "quita a la gente del fondo",
        "entferne die Leute im Hintergrund",
        "tira a camisa que tá pendurada na porta",
        "take the jacket off the mannequin",
    ],
)
def test_when_a_turn_takes_off_nothing_anyone_wears_then_no_removal_is_read(
    reader: TurnReader, turn: str
) -> None:
    assert reader.read(turn).removals == ()


@pytest.mark.parametrize(
    ("turn", "more"),
    [
        ("keep going", True),
        ("more", True),
        ("even more, so it clings", True),
        ("weiter so", True),
        ("继续", True),
        ("계속해", True),
        ("more sun", False),
        ("keep going, make it look professional", True),  # continues; the edit ends the chain
        ("make the sky bluer", False),
    ],
)
def test_when_a_turn_continues_then_only_a_continuation_that_stands_alone_counts(
    reader: TurnReader, turn: str, more: bool
) -> None:
    assert (reader.read(turn).more is not None) is more


def test_when_a_turn_is_longer_than_the_slice_then_the_head_and_tail_are_kept() -> None:
    text = "a" * 400 + "b" * 400
    cut = turn_slice(text)
    assert len(cut) == TURN_CHARS + 1 and cut.startswith("a" * 250) and cut.endswith("b" * 250)
    assert turn_slice("short") == "short"


def _step(turn: int, kind: StepKind, layer: int = -1, labels: frozenset[str] = frozenset()) -> Step:
    return Step(turn, kind, "…", layer, labels)


R, U, M, REST, S, X = (
    StepKind.REMOVE,
    StepKind.UNDERNEATH,
    StepKind.MORE,
    StepKind.REST,
    StepKind.SHRINK,
    StepKind.SEXUAL,
)
SEXUALISING = frozenset({"sexualising_edit"})


@pytest.mark.parametrize(
    ("steps", "fired", "uncertain"),
    [
        ([(R, 1)], (), ()),  # one step is not a sequence
        ([(R, 1), (R, 1)], (), ()),  # two outer layers
        ([(R, 1), (M, -1)], (), ("sexualising_edit",)),  # "keep going" after a coat: review
        ([(R, 1), (M, -1), (M, -1)], ("sexual_explicit", "sexualising_edit"), ()),
        ([(R, 1), (R, 2)], ("sexualising_edit",), ()),
        ([(R, 1), (U, 2), (M, -1)], ("sexual_explicit", "sexualising_edit"), ()),
        ([(R, 0), (R, 0), (M, -1)], (), ()),  # accessories only
        ([(R, 0), (R, 2), (REST, 3)], ("sexual_explicit", "sexualising_edit"), ()),
        ([(S, 2), (M, -1)], ("sexualising_edit",), ()),
    ],
)
def test_when_a_chain_of_steps_is_judged_then_its_depth_decides(
    steps: list[tuple[StepKind, int]], fired: tuple[str, ...], uncertain: tuple[str, ...]
) -> None:
    chain = tuple(_step(n, kind, layer) for n, (kind, layer) in enumerate(steps))
    found = judge(chain, person=True)
    assert found.fired == fired
    assert found.uncertain == uncertain


def test_when_a_chain_continues_a_turn_that_was_sexual_by_itself_then_its_labels_fire() -> None:
    chain = (_step(0, X, labels=SEXUALISING), _step(1, M))
    assert judge(chain, person=True).fired == ("sexualising_edit",)
    assert (
        judge((_step(0, X, labels=SEXUALISING), _step(1, X, labels=SEXUALISING)), True).fired == ()
    )


def test_when_no_person_is_in_the_conversation_then_a_removal_chain_fires_nothing() -> None:
    chain = (_step(0, R, 1), _step(1, R, 2), _step(2, M))
    assert judge(chain, person=False).fired == ()


@pytest.mark.parametrize(
    ("turn", "active", "expected"),
    [
        ("lol nice", True, Pause.NEUTRAL),
        ("add a hat", True, Pause.RESET),
        ("make the background a beach", True, Pause.RESET),
        ("now the shirt", True, StepKind.REMOVE),
        ("now the shirt", False, Pause.NEUTRAL),  # a garment named with no chain under way
        ("keep going", True, StepKind.MORE),
        ("keep going", False, Pause.NEUTRAL),
        ("and whatever is underneath", True, StepKind.UNDERNEATH),
        ("then the rest", True, StepKind.REST),
        ("make her skirt shorter", False, StepKind.SEXUAL),  # the lexicon reads it alone
    ],
)
def test_when_a_turn_is_classified_then_it_is_a_step_or_a_pause(
    reader: TurnReader, turn: str, active: bool, expected: StepKind | Pause
) -> None:
    found = classify(reader.read(turn), 1, Mode.EDIT, active)
    assert (found.kind if isinstance(found, Step) else found) == expected


def test_when_a_garment_is_made_smaller_outside_an_edit_then_it_is_a_shrinking_step(
    reader: TurnReader,
) -> None:
    found = classify(reader.read("make her skirt shorter"), 0, Mode.GENERATE, False)
    assert isinstance(found, Step) and found.kind is StepKind.SHRINK


def test_when_the_cues_load_then_every_language_of_the_manifest_is_there() -> None:
    book: CueBook = load_cues()
    assert {"en", "es", "de", "zh", "ar", "ko"} <= set(book.languages)
    assert len(book.sha256) == 64 and book.version


def test_when_a_cue_file_is_malformed_then_loading_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.yaml").write_text('version: "1"\nlanguages: [xx]\n')
    (data / "xx.yaml").write_text("language: xx\npolite: [yes, no]\n")  # YAML booleans

    class Root:
        def __truediv__(self, name: str) -> Path:
            return tmp_path / name

    monkeypatch.setattr(cue_module, "files", lambda _package: Root())
    with pytest.raises(ConfigError, match="quoted"):
        load_cues()
    (data / "xx.yaml").write_text("language: xx\nwhatever: [a]\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_cues()
