"""Notices: one model per kind, carrying the fields its law requires.

Why one model per kind: the legal triggers differ. A DSA Art. 16 notice gives
actual knowledge once it has (a)-(d) (explanation, exact location, name and
e-mail, bona fide statement); a report of child sexual abuse may be anonymous
(Art. 16(2)(c)); a TAKE IT DOWN request is valid only with its four written
elements (47 USC 223a(a)(1)(B)); a UK intimate-image report needs the
declarations of OSA s.20A(2). An incomplete notice is refused with every
missing or bad field named, so nothing starts a legal clock on half a notice
(regulation rows EU-2, US-2, UK-11).

Items are located by a URL, a platform content id, or the image itself
(base64): an image is hashed at intake (MD5 and PDQ) and never kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from consentgate.cases.records import Action, CaseState
from consentgate.errors import BadInput
from consentgate.fields import Line, Text
from consentgate.jsonkeys import DuplicateKey, refuse_duplicate_keys
from consentgate.records import Record

MAX_ITEMS = 100
MAX_IMAGES = 5
"""Images one notice may carry (each is hashed, then dropped)."""

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
Email = Annotated[Line, Field(max_length=320, pattern=EMAIL_PATTERN)]


def _declared(value: bool) -> bool:
    if value is not True:
        raise PydanticCustomError("declaration", "must be true: the notice needs this statement")
    return value


Declared = Annotated[bool, AfterValidator(_declared)]
"""A statement the notifier must make (a box they tick): only ``true`` is valid."""


class NoticeItem(Record):
    """One reported item: where it is (a URL or content id) or the image itself."""

    url: Line | None = Field(None, min_length=1, max_length=2000, description="exact location")
    content_id: Line | None = Field(None, min_length=1, max_length=200)
    image: str | None = Field(
        None,
        description="the image, base64-encoded: hashed (MD5, PDQ) at intake and never kept",
        json_schema_extra={"contentEncoding": "base64", "contentMediaType": "image/*"},
    )
    description: Text | None = Field(
        None, max_length=2000, description="further identifying information"
    )

    @model_validator(mode="after")
    def _located(self) -> NoticeItem:
        if self.url is None and self.content_id is None and self.image is None:
            raise PydanticCustomError("item_location", "give a url, a content_id or an image")
        return self


def _few_images(items: tuple[NoticeItem, ...]) -> tuple[NoticeItem, ...]:
    if sum(item.image is not None for item in items) > MAX_IMAGES:
        raise PydanticCustomError("too_many_images", f"at most {MAX_IMAGES} images per notice")
    return items


Items = Annotated[
    tuple[NoticeItem, ...],
    Field(min_length=1, max_length=MAX_ITEMS),
    AfterValidator(_few_images),
]


class Contact(Record):
    """How to reach the notifier: at least an e-mail, a phone number or an address."""

    name: Line | None = Field(None, min_length=1, max_length=200)
    email: Email | None = None
    phone: Line | None = Field(None, min_length=3, max_length=40)
    address: Text | None = Field(None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.email is None and self.phone is None and self.address is None:
            raise PydanticCustomError("contact", "give an email, a phone or an address")
        return self


class DsaNotice(Record):
    """DSA Art. 16 notice of illegal content (regulation §b2)."""

    kind: Literal["dsa_notice"]
    explanation: Text = Field(
        min_length=10, max_length=10_000, description="(a) why the content is illegal"
    )
    items: Items = Field(description="(b) the exact location of each item")
    notifier_name: Line = Field(min_length=1, max_length=200, description="(c)")
    notifier_email: Email = Field(description="(c)")
    bona_fide_statement: Declared = Field(
        description="(d) I believe in good faith that this notice is accurate and complete"
    )
    alleged_category: Line | None = Field(None, max_length=100)
    is_trusted_flagger: bool = False
    trusted_flagger_id: Line | None = Field(None, max_length=200)

    @property
    def contact_email(self) -> str | None:
        return self.notifier_email


class ChildSafetyReport(Record):
    """A notice of child sexual abuse material: the notifier may stay anonymous
    (DSA Art. 16(2)(c)); ``threat_to_life`` flags an Art. 18 emergency."""

    kind: Literal["child_safety"]
    explanation: Text = Field(min_length=1, max_length=10_000)
    items: Items
    notifier_name: Line | None = Field(None, min_length=1, max_length=200)
    notifier_email: Email | None = None
    bona_fide_statement: Declared
    threat_to_life: bool = False

    @property
    def contact_email(self) -> str | None:
        return self.notifier_email


class SubmittedBy(StrEnum):
    SELF = "self"
    AUTHORIZED_PERSON = "authorized_person"


class TakeItDownRequest(Record):
    """A TAKE IT DOWN removal request, 47 USC 223a(a)(1)(B)(i)-(iv) (regulation §b3)."""

    kind: Literal["take_it_down"]
    signature: Line = Field(
        min_length=1, max_length=200, description="(i) physical or electronic signature"
    )
    items: Items = Field(description="(ii) identification and location of the depiction")
    good_faith_statement: Declared = Field(
        description="(iii) a good-faith belief that the depiction is not consensual"
    )
    supporting_info: Text | None = Field(
        None, max_length=10_000, description="(iii) information showing it lacks consent"
    )
    contact_info: Contact = Field(description="(iv)")
    submitted_by_role: SubmittedBy

    @property
    def contact_email(self) -> str | None:
        return self.contact_info.email


class ReporterRole(StrEnum):
    SUBJECT = "subject"
    ACTING_FOR_SUBJECT = "acting_for_subject"


class UkIntimateImageReport(Record):
    """A UK intimate image content report, OSA s.20A(2)(a)-(e) (regulation §b4)."""

    kind: Literal["uk_intimate_image"]
    declares_intimate_image_content: Declared
    declares_subject_or_acting_for_subject: ReporterRole
    relationship: Line | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="to the subject, when acting for them",
        validate_default=True,
    )
    declares_good_faith_and_true: Declared
    items: Items = Field(description="content identification")
    contact_details: Contact

    @field_validator("relationship", mode="after")
    @classmethod
    def _relationship(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("declares_subject_or_acting_for_subject")
        if role is ReporterRole.ACTING_FOR_SUBJECT and value is None:
            raise PydanticCustomError("missing", "required when acting for the subject")
        return value

    @property
    def contact_email(self) -> str | None:
        return self.contact_details.email


Notice = Annotated[
    DsaNotice | ChildSafetyReport | TakeItDownRequest | UkIntimateImageReport,
    Field(discriminator="kind"),
]
NOTICE = TypeAdapter[Notice](Notice)


class FieldProblem(Record):
    field: str
    message: str


class InvalidNotice(BadInput):
    """A notice that lacks legal fields or has bad ones: every one is named."""

    title = "Invalid notice"

    def __init__(self, fields: list[FieldProblem]) -> None:
        super().__init__(
            "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in fields),
            field=fields[0].field or None,
        )
        self.fields = fields


class NoticeTooLarge(InvalidNotice):
    """A notice with an image over the image limits: 413, as the same image is to a screen.

    Every other bad field is still named with it, so a notifier fixes all at once.
    """

    http_status = 413
    title = "Payload too large"


def _problem(err: Any) -> FieldProblem:
    kind, loc = err["type"], tuple(err["loc"])
    if kind == "json_invalid":
        return FieldProblem(field="", message="not valid JSON")
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        kinds = ", ".join(NOTICE_KINDS)
        return FieldProblem(field="kind", message=f"must be one of {kinds}")
    if not loc:
        return FieldProblem(field="", message=f"a notice is a JSON object: {err['msg']}")
    if loc[0] in NOTICE_KINDS:
        loc = loc[1:]  # the union's tag
    messages = {"missing": "required", "too_short": "give at least one"}
    return FieldProblem(
        field=".".join(str(p) for p in loc), message=messages.get(kind, str(err["msg"]))
    )


def invalid(exc: ValidationError) -> InvalidNotice:
    errors = exc.errors()
    # A list with a bad item is also "too short" by the items that passed: say it once.
    inner = {tuple(e["loc"][:-1]) for e in errors if e["loc"]}
    kept = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in inner)]
    return InvalidNotice([_problem(err) for err in kept])


def parse_notice(raw: str | bytes) -> Notice:
    """A notice from JSON text, or InvalidNotice naming every bad field."""
    try:
        refuse_duplicate_keys(raw)
    except DuplicateKey as exc:
        raise InvalidNotice([FieldProblem(field=exc.key, message=exc.message)]) from None
    try:
        return NOTICE.validate_json(raw)
    except ValidationError as exc:
        raise invalid(exc) from None


NOTICE_KINDS = ("dsa_notice", "child_safety", "take_it_down", "uk_intimate_image")


# -- what a notifier gets back ----------------------------------------------------


class Receipt(Record):
    """The acknowledgement of receipt (DSA Art. 16(4)), given at once."""

    id: str
    tracking_code: str = Field(description="keep it: it is the only way to follow the notice")
    kind: str
    received_at: datetime
    status_url: str
    cases: tuple[str, ...] = Field(description="one case per reported item, in order")


class Automation(Record):
    automated_means_used: bool
    explanation: str


class Redress(Record):
    appeal_until: datetime = Field(description="the end of the window to ask for a review")
    how_to_appeal: str
    other_routes: str


class NoticeDecision(Record):
    """What was decided about one item, how, and how to contest it (Art. 16(5), (6))."""

    action: Action
    decided_at: datetime
    automation: Automation
    redress: Redress


class ItemStatus(Record):
    url: str | None = None
    content_id: str | None = None
    image_md5: str | None = Field(None, description="for items given as an image")
    state: CaseState
    decision: NoticeDecision | None = None


class NoticeAppeal(Record):
    """A notifier contesting the decision on one item of their notice (DSA Art. 20)."""

    item: int = Field(0, ge=0, le=99, description="the item's position in the notice, from 0")
    text: Text = Field(min_length=1, max_length=10_000, description="why the decision is wrong")


class NoticeStatus(Record):
    """Where a notice stands: only what its notifier gave and what was decided."""

    tracking_code: str
    kind: str
    received_at: datetime
    items: tuple[ItemStatus, ...]


class StoredNotice(Record):
    """A notice as kept (for reviewers): its fields without images, plus the items' hashes."""

    id: str
    tracking_code: str
    kind: str
    received_at: datetime
    knowledge_at: datetime
    data: dict[str, Any]
