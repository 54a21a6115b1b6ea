"""Prompt lexicon detector: multilingual word lists and phrase rules over normalised text.

Why rules beside a learned model: a lexicon is auditable (every signal names the
entry that matched and the text it matched after normalisation), covers twenty
languages from day one, and cannot be talked out of a match. Its version and the
sha256 of its data files are the model reference every signal carries.

Graded evidence: a sexualising-edit phrase ("in a bikini", "shirtless", "bent
over") is a request only when the prompt edits a photo. In a caption or a
text-to-image prompt it mostly describes an ordinary scene ("a boy in swim trunks
about to jump into the lake"), and read as a vote it turned every such caption
that also named a child into a child-safety escalation. Outside edit mode the
lexicon therefore reports ``sexualising_edit`` as a weak cue (``WEAK_SCORE``,
below its threshold: evidence, not a vote); the semantic detector fuses it with
the sentence's meaning and fires when the whole prompt sexualises ("a 12 year
old girl in a bikini"). Explicit terms stay strong in every mode.

A jailbreak phrase ("ignore previous instructions", "[admin override]") is
evidence, not a reason: its signal fires and is shown in the decision, but no
rule of the default policy reads it (R10 was retired). The gate judges what is
asked, so an ordinary request wrapped in one is allowed and a harmful one is
blocked by its own rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.vision.loader import shared
from consentgate.lexicon.loader import LABELS, Lexicon, load_lexicon
from consentgate.lexicon.scanner import LexiconScanner
from consentgate.records import Evidence, Mode, ModelRef, Signal, Target

MAX_EVIDENCE = 8
WEAK_SCORE = 0.4  # a cue below the threshold: shown as evidence, never a vote
WEAK_NOTE = "outside an edit a sexualising phrase is a cue for the semantic detector, not a vote"
JAILBREAK_NOTE = (
    "a phrase that tries to override the rules: recorded as evidence, it decides nothing; "
    "the request is judged on its own"
)


class PromptLexiconDetector(Detector):
    """Labels prompts by lexicon phrases in 20 languages, after disguise-proof normalisation."""

    runs_inline = True
    name = "prompt_lexicon"
    version = "1.3.1"
    prompt_only = True
    targets = frozenset({Target.PROMPT})
    provides = frozenset(LABELS)
    description = (
        "Multilingual lexicon and phrase rules: explicit content, undressing/sexualising edits, "
        "minors, real persons, pretexts, jailbreaks."
    )
    score = 0.9
    threshold = 0.5

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        # Loaded once per process: the semantic detector reads the same lexicon.
        self._lexicon = lexicon or shared("lexicon", load_lexicon)
        self._scanner = LexiconScanner(self._lexicon)

    @property
    def model(self) -> ModelRef:
        return ModelRef(
            id=f"consentgate-prompt-lexicon-{self._lexicon.version}",
            revision=f"sha256:{self._lexicon.sha256}",
        )

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        if inp.text is None:
            return []
        findings = self._scanner.scan(inp.text, inp.check_deadline)
        disguises = f"disguises: {', '.join(inp.text.disguises)}" if inp.text.disguises else None
        signals = []
        for label in LABELS:
            found = findings.get(label)
            if not found:
                continue
            weak = label == "sexualising_edit" and inp.request.mode is not Mode.EDIT
            why = WEAK_NOTE if weak else JAILBREAK_NOTE if label == "jailbreak" else None
            note = "; ".join(n for n in (disguises, why) if n) or None
            evidence = [
                Evidence(span=f.span, term=f.term, language=f.language, note=note)
                for f in found[:MAX_EVIDENCE]
            ]
            score = WEAK_SCORE if weak else self.score
            signals.append(self.signal(label, Target.PROMPT, score, self.threshold, *evidence))
        return signals
