"""Semantic prompt detector: sentence embeddings fused with the lexicon and the n-gram model.

Why: a word list misses what it does not list (synonyms, fused or misspelt
words, languages without a list) and an n-gram model trained on our own
templates learned that "woman" predicts "explicit". A frozen multilingual
sentence encoder reads meaning across wording and language; small trained heads
on its embeddings, fused with the lexicon's and the n-gram model's outputs by
one logistic regression per label, give a score where no single weak cue can
block (the fusion weighs them) while the lexicon's explicit terms still block
(the lexicon detector keeps firing on its own).

Cascade (see ``semantic_cascade``): multilingual USE on every prompt (2-4 ms);
multilingual-e5 (35-45 ms) only for text USE may not read (Latin text with no
common word only when the lexicon found a cue: ``semantic_cascade.reads_wide``),
where the e5 heads' score replaces USE's, and as a second opinion where USE alone would raise a
sexual label that the lexicon did not (``_second_opinion``: the lower of the two
heads' scores counts, so an embedding alone blocks only when both agree). Only
the canonical normalised reading is embedded (as in training); disguises' other
readings are the lexicon's to scan. Of a long prompt each encoder reads only the
head, at most 256 tokens (about 1,000 characters of ordinary text, see
``text.token_budget``); the lexicon and n-gram cues read all of it. The deadline
is checked between the stages (cues, each encoder, the second opinion), so a
screen that ran out of time stops instead of embedding on in its thread. Built
from settings, the detector embeds the prompts of concurrent screens together
(``semantic_batching``; ``CONSENTGATE_BATCH_WAIT_MS``, ``docs/throughput.md``):
a screen waits for its batch at most until its deadline.

Signals: one per label whose fused score reaches the label's review threshold,
with ``review_threshold`` set, so the policy blocks above the upper threshold
and sends the band below it to review. A sexual signal that no lexicon cue backs
is never fired (its threshold is 1.0): the embedding alone is one cue, so it
goes to review and never joins a minor in a child-safety escalation. Thresholds
are in the artefact (chosen on benign training rows out of fold; ``docs/prompt.md``
section 5b lists them and how they were chosen); the
evidence note carries every input's score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.prompt_classifier import PromptClassifierDetector
from consentgate.detectors.semantic_batching import BatchSettings, Embed, EncoderBatches, direct
from consentgate.detectors.semantic_cascade import reads_wide
from consentgate.detectors.semantic_features import Cues, fusion_row
from consentgate.detectors.semantic_model import SemanticModel
from consentgate.detectors.vision.loader import shared
from consentgate.lexicon.loader import load_lexicon
from consentgate.lexicon.scanner import LexiconScanner
from consentgate.records import Evidence, ModelRef, Signal, Target
from consentgate.settings import Settings
from consentgate.text.encoders import E5Encoder, SentenceEncoder, UseEncoder, encoders_missing
from consentgate.text.normalised import NormalisedText

SEXUAL = frozenset({"sexual_explicit", "sexualising_edit"})
# The block threshold of a sexual signal no lexicon cue backs: above any fused score
# reachable without one (the embedding's clipped log-odds alone stay below it).
EMBEDDING_ONLY_CEILING = 1.0


class CueReader:
    """The lexicon's labels and the n-gram model's probabilities for one prompt."""

    def __init__(self, scanner: LexiconScanner, ngram: PromptClassifierDetector) -> None:
        self._scanner, self._ngram = scanner, ngram

    @classmethod
    def default(cls) -> CueReader:
        return cls(LexiconScanner(shared("lexicon", load_lexicon)), PromptClassifierDetector())

    def read(self, text: NormalisedText, check: Callable[[], None]) -> Cues:
        found = self._scanner.scan(text, check)
        return Cues(
            frozenset(k for k, v in found.items() if v), self._ngram.probabilities(text, check)
        )


class PromptSemanticDetector(Detector):
    """Fused sexual, sexualising-edit, minor and real-person scores with a review band."""

    name = "prompt_semantic"
    version = "1.0.0"
    prompt_only = True
    targets = frozenset({Target.PROMPT})
    provides = frozenset({"sexual_explicit", "sexualising_edit", "minor", "real_person"})
    description = (
        "Multilingual sentence embeddings (USE v3, e5 for other languages) fused with the "
        "lexicon and n-gram model; block and review thresholds per label."
    )

    def __init__(
        self,
        fast: SentenceEncoder,
        wide: SentenceEncoder,
        model: SemanticModel | None = None,
        cues: CueReader | None = None,
        *,
        batching: BatchSettings | None = None,
    ) -> None:
        """``batching``: encode the prompts of concurrent screens together (None: each
        screen calls the encoders itself)."""
        self._model = model or SemanticModel.load()
        self._model.check_encoder("use", fast.model)
        self._model.check_encoder("e5", wide.model)
        self._fast, self._wide = fast, wide
        self._cues = cues or CueReader.default()
        encoders = {"use": fast, "e5": wide}
        self._direct = direct(encoders)
        self.batches = EncoderBatches(encoders, batching) if batching is not None else None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return encoders_missing()

    @classmethod
    def from_context(cls, context: DetectorContext) -> PromptSemanticDetector:
        """The encoders are loaded once per process (``serve`` loads them before its
        workers fork, so every worker starts with them and shares their weights)."""
        settings = context.settings
        cache_dir = settings.model_cache_dir
        fast = shared(f"encoder_use:{cache_dir}", lambda: UseEncoder(cache_dir=cache_dir))
        slow = shared("encoder_e5", E5Encoder)
        return cls(fast, slow, batching=cls.batch_settings(settings))

    @staticmethod
    def batch_settings(settings: Settings) -> BatchSettings | None:
        """The batcher's wait and size from settings; None when it is off (wait 0)."""
        if settings.batch_wait_ms <= 0:
            return None
        return BatchSettings(wait_s=settings.batch_wait_ms / 1000, max_items=settings.batch_max)

    @property
    def model(self) -> ModelRef:
        return ModelRef(
            id=f"consentgate-prompt-sem-{self._model.version}+{self._fast.model.id}"
            f"+{self._wide.model.id}",
            revision=f"sha256:{self._model.sha256}",
        )

    def warm_up(self) -> None:
        self._fast.embed(["warm up"])
        self._wide.embed(["warm up"])

    def _head_logits(
        self,
        texts: Sequence[NormalisedText],
        cues: Sequence[Cues],
        check: Callable[[], None],
        embed: Embed,
    ) -> list[tuple[str, np.ndarray]]:
        """Per text: the encoder the cascade chose and the heads' log-odds.

        Only the canonical reading is embedded, as in training: the heads' thresholds
        hold for it, and a disguise's other readings (letters joined, leetspeak
        read) are the lexicon's to scan. Each encoder reads at most its token limit
        (the head of the text, see ``text.token_budget``), and ``check`` runs before
        and after each encoder's call, so work past the deadline stops between them.
        Texts that go to one encoder are embedded in one call."""
        jobs: dict[str, list[int]] = {"use": [], "e5": []}
        for n, text in enumerate(texts):
            jobs["e5" if reads_wide(text.text, bool(cues[n].lexicon)) else "use"].append(n)
        out: list[tuple[str, np.ndarray]] = [("use", np.zeros(0))] * len(texts)
        for key in ("use", "e5"):
            if jobs[key]:
                check()
                embedded = embed(key, [texts[n].text for n in jobs[key]])
                check()
                logits = self._model.head_logits(key, embedded)
                for n, row in zip(jobs[key], logits, strict=True):
                    out[n] = (key, row)
        return out

    def _second_opinion(
        self,
        texts: Sequence[NormalisedText],
        cues: Sequence[Cues],
        heads: list[tuple[str, np.ndarray]],
        check: Callable[[], None],
        embed: Embed,
    ) -> list[tuple[str, np.ndarray]]:
        """Where USE alone would raise a sexual label the lexicon did not, ask e5 too.

        The embedding's log-odds become the lower of the two heads': both encoders
        must agree before an embedding alone blocks or reviews. Scores only go down,
        so the thresholds' false-positive bounds still hold; e5's cost is paid on the
        few prompts that reach this point, not on every prompt."""
        sexual = [i for i, label in enumerate(self._model.labels) if label in SEXUAL]
        ask = []
        for n, (key, logits) in enumerate(heads):
            if key != "use" or cues[n].lexicon & SEXUAL:
                continue
            fused = self._fuse(cues[n], logits)
            if any(fused[i] >= self._model.lower[i] for i in sexual):
                ask.append(n)
        if not ask:
            return heads
        check()
        wide = self._model.head_logits("e5", embed("e5", [texts[n].text for n in ask]))
        check()
        out = list(heads)
        for n, row in zip(ask, wide, strict=True):
            out[n] = ("use+e5", np.minimum(heads[n][1], row))
        return out

    def _fuse(self, cues: Cues, logits: np.ndarray) -> np.ndarray:
        labels = self._model.labels
        rows = [fusion_row(lb, cues, float(lg)) for lb, lg in zip(labels, logits, strict=True)]
        return self._model.fuse(np.stack(rows))

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        if inp.text is None:
            return []
        check = inp.check_deadline
        with self._embedding(inp.deadline) as embed:
            cues = self._cues.read(inp.text, check)
            texts = [inp.text]
            heads = self._head_logits(texts, [cues], check, embed)
            heads = self._second_opinion(texts, [cues], heads, check, embed)
        return self._signals(inp.text, cues, *heads[0])

    @contextmanager
    def _embedding(self, deadline: float | None) -> Iterator[Embed]:
        """How this screen embeds: through the process's batchers, or directly."""
        if self.batches is None:
            yield self._direct
            return
        with self.batches.arrival(deadline) as embed:
            yield embed

    def detect_many(self, texts: Sequence[NormalisedText]) -> list[list[Signal]]:
        """Signals for many prompts at once: one embedding call per encoder (batch screening)."""
        cues = [self._cues.read(t, _no_deadline) for t in texts]
        heads = self._head_logits(texts, cues, _no_deadline, self._direct)
        heads = self._second_opinion(texts, cues, heads, _no_deadline, self._direct)
        return [self._signals(t, c, *h) for t, c, h in zip(texts, cues, heads, strict=True)]

    def _signals(
        self, text: NormalisedText, cues: Cues, key: str, logits: np.ndarray
    ) -> list[Signal]:
        labels = self._model.labels
        fused = self._fuse(cues, logits)
        signals = []
        embedding_only = not cues.lexicon & SEXUAL
        for i, label in enumerate(labels):
            upper, lower = float(self._model.upper[i]), float(self._model.lower[i])
            if fused[i] < lower:
                continue
            if label in SEXUAL and embedding_only:
                # No lexicon cue: the embedding alone (even with e5 agreeing) is one
                # cue, and one cue alone never blocks; a person reviews it (R12), and
                # it cannot join a minor in a child-safety escalation (R1).
                upper = EMBEDDING_ONLY_CEILING
            ngram = cues.ngram.get(label)
            note = (
                f"fused={fused[i]:.3f} {key}_head={1 / (1 + np.exp(-logits[i])):.3f} "
                f"ngram={'-' if ngram is None else f'{ngram:.3f}'} "
                f"lexicon={int(label in cues.lexicon)} block>={upper:.3f} review>={lower:.3f}"
            )
            evidence = Evidence(span=text.text[:200], note=note)
            signals.append(
                self.signal(
                    label, Target.PROMPT, float(fused[i]), upper, evidence, review_threshold=lower
                )
            )
        return signals


def _no_deadline() -> None:
    """Batch screening has no per-request time budget."""
