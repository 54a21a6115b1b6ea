"""The shared vocabulary: request → signals → decision.

Every stage of ConsentGate consumes and returns these small, immutable, typed
records. They serialise to JSON with ``model_dump(mode="json")`` and their schema
is published with ``model_json_schema()`` (see ``docs/records.md``).

Why records and not tuples or dicts: a reviewer, an appeal and a transparency
report must all be answerable from the record alone, so a signal carries which
detector (and version, and model checksum) produced it, the score and the
threshold it was held against, and what it matched.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consentgate.fields import Line, Prompt


class Record(BaseModel):
    """Base for every record: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64")


class Mode(StrEnum):
    """What the caller is about to do."""

    GENERATE = "generate"  # text-to-image
    EDIT = "edit"  # change a source photo
    UPLOAD = "upload"  # share an existing image


class Subject(StrEnum):
    """A caller's hint about who is depicted. Hints may only make a decision stricter."""

    REAL_PERSON = "real_person"
    MINOR = "minor"
    NONE = "none"


class Verdict(StrEnum):
    """The outcome. Ordered by severity: block beats review beats allow."""

    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


class Target(StrEnum):
    """Which part of a request a signal is about."""

    PROMPT = "prompt"
    SOURCE_IMAGE = "source_image"
    OUTPUT_IMAGE = "output_image"
    REQUEST = "request"  # the request as a whole (caller hints)
    HISTORY = "history"  # the earlier prompts of a conversation (read for coverage)


class Label(StrEnum):
    """Built-in signal labels. Plug-in detectors may emit others (lower snake case)."""

    SEXUAL_EXPLICIT = "sexual_explicit"
    SEXUALISING_EDIT = "sexualising_edit"
    MINOR = "minor"
    REAL_PERSON = "real_person"
    PRETEXT = "pretext"
    JAILBREAK = "jailbreak"
    NUDITY = "nudity"
    BODY_REVEALING = "body_revealing"
    POSSIBLE_MINOR = "possible_minor"
    BANK_MATCH_CSAM = "bank_match_csam"
    BANK_MATCH_NCII = "bank_match_ncii"
    BANK_MATCH_CONSENT = "bank_match_consent"
    BANK_MATCH_TAKEDOWN = "bank_match_takedown"
    BANK_MATCH_CUSTOM = "bank_match_custom"
    LIKENESS_MATCH = "likeness_match"
    ADULT_SUBJECT = "adult_subject"  # the request names an adult ("the woman", "my wife")


LabelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class ModelRef(Record):
    """A pinned model: what it is, and which exact bytes (revision or checksum)."""

    id: str
    revision: str = Field(description="version tag or sha256 checksum of the weights")


class Box(Record):
    """A region of an image, in pixels of the original (un-downscaled) image."""

    x: int
    y: int
    width: int
    height: int


class Evidence(Record):
    """Why a signal fired. Only the fields that apply are set."""

    span: str | None = Field(None, description="matched text, after normalisation")
    term: str | None = Field(None, description="lexicon entry or pattern that matched")
    language: str | None = None
    box: Box | None = None
    frame: int | None = Field(None, description="frame index in an animated image")
    bank: str | None = None
    entry: str | None = None
    distance: int | None = None
    person: int | None = Field(
        None,
        ge=0,
        description=(
            "in an image, the index of the person (face) this evidence concerns, in the "
            "face finder's order for its frame; None: no visible face it belongs to"
        ),
    )
    score: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="this item's own score, where one signal groups several (a face's P(minor))",
    )
    readable: bool | None = Field(
        None,
        description=(
            "for a person in an image: whether the age model can read their face (large, "
            "sharp, frontal, unhidden); False for a person with no readable face; None: "
            "not assessed"
        ),
    )
    turn: int | None = Field(
        None,
        ge=0,
        description=(
            "in a conversation, the turn this evidence comes from: 0 is the oldest "
            "prompt in the request's history, len(history) the prompt itself"
        ),
    )
    note: str | None = None


class Signal(Record):
    """One detector's finding about one part of a request."""

    detector: str
    detector_version: str
    model: ModelRef | None = None
    label: LabelName
    target: Target
    score: float = Field(ge=0.0, le=1.0)
    threshold: float = Field(ge=0.0, le=1.0)
    review_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "lower edge of the review band: a score from here up to the threshold is "
            "uncertain, and the policy may send it to a person instead of allowing it"
        ),
    )
    evidence: tuple[Evidence, ...] = ()

    @property
    def fired(self) -> bool:
        """A signal counts in the policy only when its score reaches its threshold."""
        return self.score >= self.threshold

    @property
    def uncertain(self) -> bool:
        """The score lies in the review band: below the threshold, at or above its lower edge."""
        return self.review_threshold is not None and self.review_threshold <= self.score < (
            self.threshold
        )

    @model_validator(mode="after")
    def _band_below_threshold(self) -> Signal:
        if self.review_threshold is not None and self.review_threshold > self.threshold:
            raise ValueError("review_threshold must not be above threshold")
        return self


class DetectorFailureKind(StrEnum):
    ERROR = "error"
    TIMEOUT = "timeout"
    MISSING = "missing"  # no detector read a part of the request the policy relies on


class DetectorFailure(Record):
    """A detector that raised or ran out of time, or a protection no detector provided:
    an explicit outcome, never an allow."""

    detector: str
    detector_version: str
    kind: DetectorFailureKind
    message: str


class DetectorTiming(Record):
    detector: str
    ms: float


class Reason(Record):
    """One policy rule that fired, with the signals behind it."""

    rule: str
    verdict: Verdict
    description: str
    signals: tuple[Signal, ...] = ()
    failures: tuple[DetectorFailure, ...] = ()


MAX_PROMPT_CHARS = 20_000
MAX_HISTORY_TURNS = 20

HistoryTurn = Annotated[Prompt, Field(min_length=1, max_length=MAX_PROMPT_CHARS)]


class ScreenRequest(Record):
    """What a platform asks ConsentGate to screen."""

    id: Line | None = Field(None, max_length=200, description="caller's own request id, echoed")
    mode: Mode = Mode.GENERATE
    prompt: Prompt | None = Field(None, max_length=MAX_PROMPT_CHARS)
    history: tuple[HistoryTurn, ...] = Field(
        (),
        max_length=MAX_HISTORY_TURNS,
        description=(
            "the earlier prompts of the same conversation, oldest first (at most 20, "
            "each within the prompt limit): the prompt is read in their context"
        ),
    )
    source_image: bytes | None = Field(None, description="the photo to edit (edit mode)")
    output_image: bytes | None = Field(None, description="the generated or edited result")
    subject: Subject | None = Field(None, description="caller hint; may only tighten")

    @model_validator(mode="after")
    def _history_needs_prompt(self) -> ScreenRequest:
        if self.history and self.prompt is None:
            raise ValueError("history needs a prompt: the earlier turns are read with it")
        return self


def new_decision_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


class StatementRef(Record):
    """The statement of reasons written for a blocked upload, as the uploader is told of it
    (DSA Art. 17, given when the restriction is imposed; UK OSA s.21: how to complain)."""

    id: str = Field(description="the statement's id (its puid in the Transparency Database)")
    automated: bool = Field(description="true: an automated check decided, no person")
    appeal_until: datetime = Field(description="the end of the window to ask for a review")
    appeal_url: str | None = Field(None, description="where to ask for a review")
    how_to_appeal: str
    other_routes: str = Field(description="out-of-court dispute settlement and the courts")


class Decision(Record):
    """The answer to a ScreenRequest: verdict, reasons, and how it was reached."""

    id: str = Field(default_factory=new_decision_id)
    request_id: str | None = None
    created: datetime = Field(default_factory=utc_now)
    mode: Mode
    decision: Verdict
    reasons: tuple[Reason, ...]
    escalate: bool = Field(False, description="open a child-safety escalation case")
    policy_id: str
    policy_version: str
    signals: tuple[Signal, ...] = ()
    failures: tuple[DetectorFailure, ...] = ()
    timings: tuple[DetectorTiming, ...] = ()
    total_ms: float = 0.0
    cached: bool = Field(
        False,
        description="the decision of an earlier identical prompt-only request, read from this "
        "worker's decision cache instead of screening again (its own id; no detector timings)",
    )
    disguises: tuple[str, ...] = Field(
        (),
        description="disguises normalisation found in the prompt and undid before any "
        "detector read it (R7); hidden_characters: control or format characters removed",
    )
    statement: StatementRef | None = Field(
        None,
        description="the statement of reasons of a blocked upload (mode upload, recorded "
        "screens only): its id, that it was automated, and how to appeal",
    )
