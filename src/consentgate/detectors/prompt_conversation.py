"""Conversation detector: the prompt read with the earlier turns of its conversation.

Why: a request split over turns ("give her a denim jacket" → "take the jacket
off" → "now the top underneath" → "keep going") passes every detector that reads
one prompt. This one reads the request's ``history`` with the prompt: each turn
with the prompt lexicon and the conversation cues (``consentgate.conversation``),
then the sequence. Its signals are about the prompt (``target=prompt``), read in
its conversation, and their evidence names the turns that contributed
(``Evidence.turn``: 0 is the oldest earlier turn, ``len(history)`` the prompt).

What it adds:

* an undressing sequence that the prompt completes: ``sexualising_edit`` (and
  ``sexual_explicit`` past a person's main clothes), fired; a sequence that
  reaches them only by "keep going" after an outer layer, uncertain (review);
* a prompt that continues a turn that was sexual by itself ("make her top
  see-through" → "do it anyway"): that turn's labels;
* who is depicted, named in an earlier turn ("this is my 12 year old
  daughter", "my coworker Jenna"): ``minor`` and ``real_person``, so the prompt's
  own signals meet them in the policy as if the turns were one prompt.

An earlier turn's own sexual request is not judged again: it was judged when it
was the prompt. Bounded cost: each turn is read once per process (cached by its
normalised text), at most its first and last 250 characters (``TURN_CHARS``).
"""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.conversation.cues import CueBook, load_cues
from consentgate.conversation.sequence import ConversationFinding, read_conversation
from consentgate.conversation.turns import TurnReader
from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.vision.loader import shared
from consentgate.lexicon.loader import Lexicon, load_lexicon
from consentgate.records import Evidence, ModelRef, Signal, Target

FIRED, THRESHOLD = 0.9, 0.5
# An uncertain sequence: inside the review band, below the block threshold.
UNCERTAIN, CEILING, REVIEW_FROM = 0.6, 0.9, 0.5


class PromptConversationDetector(Detector):
    """Undressing step by step, continued sexual requests, and who an earlier turn named."""

    name = "prompt_conversation"
    version = "1.0.0"
    targets = frozenset({Target.HISTORY})
    provides = frozenset({"sexualising_edit", "sexual_explicit", "minor", "real_person"})
    description = (
        "Reads the prompt with the earlier turns of its conversation (history): undressing "
        "step by step, a sexual request continued, a minor or real person named earlier."
    )

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        cues: CueBook | None = None,
        reader: TurnReader | None = None,
    ) -> None:
        self._lexicon = lexicon or shared("lexicon", load_lexicon)
        self._cues = cues or shared("conversation_cues", load_cues)
        self._reader = reader or TurnReader(self._lexicon, self._cues)

    @property
    def reader(self) -> TurnReader:
        return self._reader

    @property
    def model(self) -> ModelRef:
        return ModelRef(
            id=f"consentgate-conversation-{self._cues.version}+lexicon-{self._lexicon.version}",
            revision=f"sha256:{self._cues.sha256}",
        )

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        request = inp.request
        if not request.history or request.prompt is None:
            return []
        turns = [*request.history, request.prompt]
        readings = [self._reader.read(turn, inp.check_deadline) for turn in turns]
        return self._signals(read_conversation(readings, request.mode))

    def _signals(self, found: ConversationFinding) -> list[Signal]:
        steps = tuple(
            Evidence(
                turn=s.turn,
                span=s.span[:200] or None,
                term=s.kind.value,
                note=found.notes.get(s.turn),
            )
            for s in found.steps
        )
        signals = [
            self.signal(label, Target.PROMPT, FIRED, THRESHOLD, *steps) for label in found.fired
        ]
        signals += [
            self.signal(
                label,
                Target.PROMPT,
                UNCERTAIN,
                CEILING,
                *steps,
                review_threshold=REVIEW_FROM,
            )
            for label in found.uncertain
        ]
        for label in ("minor", "real_person"):
            named = [c for c in found.carried if c.label == label]
            if named:
                evidence = (
                    Evidence(turn=c.turn, span=c.span, term=c.term, note="named in an earlier turn")
                    for c in named[:8]
                )
                signals.append(self.signal(label, Target.PROMPT, FIRED, THRESHOLD, *evidence))
        return signals
