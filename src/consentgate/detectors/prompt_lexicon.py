"""Prompt lexicon detector: multilingual word lists and phrase rules over normalised text.

Why rules beside a learned model: a lexicon is auditable (every signal names the
entry that matched and the text it matched after normalisation), covers twenty
languages from day one, and cannot be talked out of a match. Its version and the
sha256 of its data files are the model reference every signal carries.
"""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.lexicon.loader import LABELS, Lexicon, load_lexicon
from consentgate.lexicon.scanner import LexiconScanner
from consentgate.records import Evidence, ModelRef, Signal, Target

MAX_EVIDENCE = 8


class PromptLexiconDetector(Detector):
    """Labels prompts by lexicon phrases in 20 languages, after disguise-proof normalisation."""

    runs_inline = True
    name = "prompt_lexicon"
    version = "1.2.0"
    targets = frozenset({Target.PROMPT})
    provides = frozenset(LABELS)
    description = (
        "Multilingual lexicon and phrase rules: explicit content, undressing/sexualising edits, "
        "minors, real persons, pretexts, jailbreaks."
    )
    score = 0.9
    threshold = 0.5

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._lexicon = lexicon or load_lexicon()
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
        note = f"disguises: {', '.join(inp.text.disguises)}" if inp.text.disguises else None
        signals = []
        for label in LABELS:
            found = findings.get(label)
            if not found:
                continue
            evidence = [
                Evidence(span=f.span, term=f.term, language=f.language, note=note)
                for f in found[:MAX_EVIDENCE]
            ]
            signals.append(self.signal(label, Target.PROMPT, self.score, self.threshold, *evidence))
        return signals
