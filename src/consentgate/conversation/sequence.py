"""Read a conversation as a whole: steps that undress a person, one turn at a time.

Why a sequence and not the turns alone: "give her a denim jacket" → "take the
jacket off" → "now the top underneath" → "keep going" asks, in four harmless
turns, for what "remove her clothes" asks in one. Each turn is classified by
what it does (``classify``): it takes a garment off (a layer: outer, main,
under), points to the layer underneath or to "the rest", continues the last step
("keep going", "more", "again", "shorter"), repeats a sexual request, or starts
another kind of edit ("add a hat", "make the sky bluer"), which ends the chain.
Turns that say nothing ("lol nice", "please") neither extend nor end it.

The chain that ends with the prompt is then judged (``judge``): two or more steps
that reach a person's main clothes (a shirt, a dress) are an undressing request
(``sexualising_edit``), steps past them (underwear, "the rest", "keep going"
after the shirt) a request for nudity (``sexual_explicit`` too), and a chain
that reaches them only by "keep going" after a coat is uncertain (review). A
chain that continues a turn the lexicon itself read as sexual keeps that turn's
labels. Accessories (a hat, glasses, shoes) and garments nobody wears (on a
chair, on a mannequin) are not steps, and a chain needs a person: an edit of a
photo, or a person named in some turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from consentgate.conversation.readings import TurnReading
from consentgate.records import Mode

SEXUAL = ("sexual_explicit", "sexualising_edit")
CONTEXT = ("minor", "real_person")  # who is depicted: carried from earlier turns
LAYER_NAMES = {0: "an accessory", 1: "an outer layer", 2: "main clothes", 3: "underwear"}


class StepKind(StrEnum):
    REMOVE = "remove"  # a garment (or "it") taken off
    UNDERNEATH = "underneath"  # the layer under the last one
    REST = "rest"  # every layer left
    MORE = "more"  # continues the last step
    SHRINK = "shrink"  # less of a garment: "make her skirt shorter"
    SEXUAL = "sexual"  # a turn the lexicon reads as sexual by itself


class Pause(StrEnum):
    """A turn that is not a step."""

    NEUTRAL = "neutral"  # says nothing: the chain goes on
    RESET = "reset"  # another kind of edit: the chain ends


@dataclass(frozen=True, slots=True)
class Step:
    turn: int
    kind: StepKind
    span: str
    layer: int = -1  # REMOVE and UNDERNEATH: the garment's layer, -1 when unnamed
    labels: frozenset[str] = frozenset()  # the turn's own fired sexual labels


@dataclass(frozen=True, slots=True)
class Carried:
    """A fact about who is depicted, named in an earlier turn."""

    turn: int
    label: str
    span: str
    term: str


@dataclass(frozen=True)
class ConversationFinding:
    """What the conversation adds to the prompt: labels, the steps behind them, and context."""

    fired: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    carried: tuple[Carried, ...] = ()
    depth: int = 0  # the layer the chain reached
    notes: dict[int, str] = field(default_factory=dict)


def fired_sexual(reading: TurnReading, mode: Mode) -> frozenset[str]:
    """The sexual labels the lexicon would fire for this turn alone, in this mode."""
    labels = reading.labels()
    found = {"sexual_explicit"} & labels
    if mode is Mode.EDIT and "sexualising_edit" in labels:
        found.add("sexualising_edit")
    return frozenset(found)


def classify(reading: TurnReading, turn: int, mode: Mode, active: bool) -> Step | Pause:
    """What this turn does, given whether a chain of steps is under way."""
    sexual = fired_sexual(reading, mode)
    if reading.removals:
        layer = max(r.layer for r in reading.removals)
        return Step(turn, StepKind.REMOVE, reading.removals[0].span, layer, sexual)
    if sexual and not (reading.lying and not reading.garments):
        # A turn whose garments all lie somewhere is no step, whatever the lexicon read.
        return Step(turn, StepKind.SEXUAL, reading.text[:200], labels=sexual)
    if reading.shrink and reading.garments:
        return Step(turn, StepKind.SHRINK, reading.shrink, max(g.layer for g in reading.garments))
    if active and not reading.other_edit:
        layer = max((g.layer for g in reading.garments), default=-1)
        if reading.rest:
            return Step(turn, StepKind.REST, reading.rest, 3)
        if reading.underneath:
            return Step(turn, StepKind.UNDERNEATH, reading.underneath, layer)
        if reading.garments:
            return Step(turn, StepKind.REMOVE, reading.garments[0].span, layer)
        if reading.more or (reading.content == 0 and (reading.shrink or reading.removes_nothing)):
            return Step(turn, StepKind.MORE, reading.more or reading.shrink or "")
    if reading.content == 0 and not reading.other_edit and not reading.removes_nothing:
        return Pause.NEUTRAL
    return Pause.RESET


def chain_of(readings: list[TurnReading], mode: Mode) -> tuple[Step, ...]:
    """The steps since the last reset, if the last turn (the prompt) is one of them."""
    chain: list[Step] = []
    last: Step | Pause = Pause.RESET
    for turn, reading in enumerate(readings):
        last = classify(reading, turn, mode, bool(chain))
        if last is Pause.RESET:
            chain = []
        elif isinstance(last, Step):
            chain.append(last)
    return tuple(chain) if isinstance(last, Step) else ()


def judge(chain: tuple[Step, ...], person: bool) -> ConversationFinding:
    """The labels a chain of steps adds, with a note per step for the evidence."""
    if len(chain) < 2:
        return ConversationFinding()
    weight = running = certain = shrinks = 0
    garment = False
    sexual: set[str] = set()
    last_layer = 1
    notes: dict[int, str] = {}
    for step in chain:
        layer = step.layer if step.layer >= 0 else last_layer
        if step.kind is StepKind.REMOVE:
            sexual |= step.labels
            if layer >= 1:
                weight, garment = weight + 1, True
                running, certain, last_layer = max(running, layer), max(certain, layer), layer
            notes[step.turn] = f"takes off {LAYER_NAMES[layer]}"
        elif step.kind is StepKind.UNDERNEATH:
            weight, garment = weight + 1, True
            running = max(min(3, running + 1), step.layer)
            certain = max(certain, running)
            notes[step.turn] = "goes to the layer underneath"
        elif step.kind is StepKind.REST:
            weight, garment, running, certain = weight + 1, True, 3, 3
            notes[step.turn] = "takes off the rest"
        elif step.kind is StepKind.MORE:
            if garment:
                weight, running = weight + 1, min(3, running + 1)
            elif sexual or shrinks:
                weight += 1
            notes[step.turn] = "continues the last step"
        elif step.kind is StepKind.SHRINK:
            weight, shrinks = weight + 1, shrinks + 1
            notes[step.turn] = "makes a garment smaller"
        else:
            weight += 1
            sexual |= step.labels
            notes[step.turn] = "asks for it by itself"
    fired: set[str] = set()
    uncertain: set[str] = set()
    earlier = {label for step in chain[:-1] for label in step.labels}
    if earlier and chain[-1].kind is not StepKind.SEXUAL:
        fired |= earlier  # the prompt continues a turn that was sexual by itself
    if person and garment and weight >= 2:
        if certain >= 2 or running >= 3:
            fired.add("sexualising_edit")
        elif running == 2:
            uncertain.add("sexualising_edit")
        if running >= 3:
            fired.add("sexual_explicit")
    if person and shrinks and weight >= 2:
        fired.add("sexualising_edit")
    if not fired and not uncertain:
        return ConversationFinding()
    order = [label for label in SEXUAL if label in fired]
    return ConversationFinding(
        fired=tuple(order),
        uncertain=tuple(label for label in SEXUAL if label in uncertain - fired),
        steps=chain,
        depth=running,
        notes=notes,
    )


def read_conversation(readings: list[TurnReading], mode: Mode) -> ConversationFinding:
    """The prompt (the last reading) in the context of the earlier turns."""
    person = mode is Mode.EDIT or any(r.person for r in readings)
    found = judge(chain_of(readings, mode), person)
    carried = [
        Carried(turn, f.label, f.span, f.term)
        for turn, reading in enumerate(readings[:-1])
        for f in reading.findings
        if f.label in CONTEXT
    ]
    if not carried:
        return found
    return ConversationFinding(
        fired=found.fired,
        uncertain=found.uncertain,
        steps=found.steps,
        carried=tuple(carried),
        depth=found.depth,
        notes=found.notes,
    )
