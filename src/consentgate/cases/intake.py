"""Notice intake: a notice becomes one row and one case per item, in one transaction.

Why one transaction: a receipt is the legal acknowledgement (DSA Art. 16(4)), and
the cases' clocks start at receipt (UK OSA s.10(3A), US 47 USC 223a(a)(3)); a
notice that was acknowledged but has no case, or a case whose notice is lost,
would break both. Only complete notices get here (``notices`` refuses the rest),
so every stored notice gives knowledge at receipt (Art. 16(3)).

Images are hashed before the transaction and dropped: the row keeps the
notice's fields and each item's MD5 and PDQ, never the image bytes.

The tracking code is the notifier's only credential (no account is needed, UK
OSA s.20, DSA Art. 16(1)): 32 random URL-safe characters, and the status page
answers only about the cases of that one notice.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from consentgate.cases.clock import Clock
from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.notices import (
    MAX_ITEMS,
    Automation,
    FieldProblem,
    InvalidNotice,
    ItemStatus,
    Notice,
    NoticeAppeal,
    NoticeDecision,
    NoticeItem,
    NoticeStatus,
    NoticeTooLarge,
    Receipt,
    Redress,
    StoredNotice,
)
from consentgate.cases.records import (
    AUTOMATED,
    UNLOCATED,
    USUAL,
    Appellant,
    Case,
    CaseKind,
    EventKind,
    Item,
)
from consentgate.cases.replays import KeyedRequest, Outcome, ReplayStore
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput, ConsentGateError, NotFound, TooLarge
from consentgate.hashing.image import hash_image_bytes
from consentgate.images.limits import ImageLimits
from consentgate.images.sniff import MEDIA_TYPES, sniff
from consentgate.records import Record
from consentgate.settings import Settings
from consentgate.store.cases_tables import cases, notices
from consentgate.store.database import Database

STATUS_PATH = "/v1/notices/{code}"
CODE_BYTES = 24  # 32 characters of URL-safe base64
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


def new_tracking_code() -> str:
    """32 random URL-safe characters whose first is a letter or digit.

    Why: a code that began with ``-`` (1 in 32) was read as an option by
    ``consentgate notice status CODE`` and by shells' tools. Drawing again until
    the first character is alphanumeric keeps the codes uniform over what is
    left, and about 191.9 of the 192 bits.
    """
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if code[0].isalnum():
            return code


NOTIFIER = "notifier"
"""The actor of a notice's ``received`` events (the notifier is not named in the chain)."""

HOW_TO_APPEAL = (
    "Before appeal_until, POST {item, text} to this status page's /appeal (or ask the "
    "service, quoting your tracking code); a person who did not make the decision reviews it."
)
OTHER_ROUTES = (
    "You may also turn to a certified out-of-court dispute settlement body (EU DSA Art. 21) "
    "or to the courts."
)


class Submitted(Record):
    """A notice's receipt, and whether it was read back for a retry rather than filed now."""

    receipt: Receipt
    replayed: bool = False


class Appealed(Record):
    """A notice's status page after an appeal, and whether the appeal was a retry."""

    status: NoticeStatus
    replayed: bool = False


class NoticeService:
    """Takes notices in, and tells their notifiers where they stand."""

    def __init__(
        self,
        db: Database,
        cases: CaseService,
        clock: Clock | None = None,
        *,
        vault: EvidenceVault | None = None,
    ) -> None:
        self.db = db
        self.cases = cases
        self.clock = clock or cases.clock
        self.vault = vault  # child-safety images are sealed as evidence; all others dropped
        self.replays = ReplayStore(db, self.clock)

    # -- intake ------------------------------------------------------------------
    def submit(self, notice: Notice) -> Receipt:
        """Record ``notice`` and open a case per item; the receipt is the acknowledgement."""
        return self.submit_once(notice, None).receipt

    def replayed(self, keyed: KeyedRequest) -> Receipt | None:
        """The receipt of the notice already filed under ``keyed``'s key, if one was (a retry)."""
        found = self.replays.replayed(keyed)
        return None if found is None else self.receipt(found.result_id)

    def submit_once(self, notice: Notice, keyed: KeyedRequest | None) -> Submitted:
        """``submit``, once per ``Idempotency-Key``: a retry gets the first notice's receipt."""
        if keyed is not None and (receipt := self.replayed(keyed)) is not None:
            return Submitted(receipt=receipt, replayed=True)
        check_items(notice, self.cases.settings)
        located = self._locate(notice.items)
        items = [item for item, _ in located]
        received_at = self.clock()
        notice_id, code = uuid.uuid4().hex, new_tracking_code()
        kind = CaseKind(notice.kind)
        data = notice.model_dump(mode="json", exclude={"items"}, exclude_none=True)
        data["items"] = [
            item.model_dump(mode="json", exclude_none=True)
            | ({"description": given.description} if given.description else {})
            for item, given in zip(items, notice.items, strict=True)
        ]
        data["knowledge_at"] = received_at.isoformat()  # Art. 16(3): complete at receipt
        data["acknowledgement"] = {
            "receipt_at": received_at.isoformat(),  # the receipt answers the submission
            "email_due": notice.contact_email is not None,  # Art. 16(4): also by e-mail
        }

        def store(conn: Connection) -> None:
            opened = [
                self.cases.open(
                    kind,
                    item,
                    notice_id=notice_id,
                    actor=NOTIFIER,
                    reason=f"{kind.value} notice",
                    rank=rank_of_item(notice, item),
                    conn=conn,
                )
                for item in items
            ]
            if kind is CaseKind.CHILD_SAFETY:
                self._child_safety(conn, notice, opened, [image for _, image in located])
            data["cases"] = [case.id for case in opened]
            conn.execute(
                insert(notices).values(
                    id=notice_id,
                    tracking_code=code,
                    kind=kind.value,
                    received_at=received_at,
                    data=data,
                )
            )

        done = self.replays.once(keyed, Outcome(result_id=notice_id, status=201), store)
        if done.replayed:  # a twin sent at the same time stored its notice first
            return Submitted(receipt=self.receipt(done.result_id), replayed=True)
        return Submitted(
            receipt=Receipt(
                id=notice_id,
                tracking_code=code,
                kind=kind.value,
                received_at=received_at,
                status_url=STATUS_PATH.format(code=code),
                cases=tuple(data["cases"]),
            )
        )

    def receipt(self, notice_id: str) -> Receipt:
        """A stored notice's receipt, as it was first given (for a replay)."""
        with self.db.read() as conn:
            row = conn.execute(select(notices).where(notices.c.id == notice_id)).first()
        if row is None:
            raise NotFound(f"no notice {notice_id!r}")
        return Receipt(
            id=row.id,
            tracking_code=row.tracking_code,
            kind=row.kind,
            received_at=_utc(row.received_at),
            status_url=STATUS_PATH.format(code=row.tracking_code),
            cases=tuple(row.data["cases"]),
        )

    def _child_safety(
        self, conn: Connection, notice: Notice, opened: list[Case], images: list[bytes | None]
    ) -> None:
        """Escalate a threat to life (DSA Art. 18) and seal reported images as evidence."""
        for case, image in zip(opened, images, strict=True):
            if getattr(notice, "threat_to_life", False):
                self.cases.record(
                    case.id,
                    EventKind.ESCALATED,
                    actor=AUTOMATED,
                    reason="the notifier reports a threat to life or safety (DSA Art. 18)",
                    conn=conn,
                )
            if image is not None and self.vault is not None:
                media = MEDIA_TYPES.get(sniff(image) or "", "image/*")  # hashed: checked
                self.vault.keep(conn, case.id, image, media, actor=AUTOMATED)

    def _locate(self, given: tuple[NoticeItem, ...]) -> list[tuple[Item, bytes | None]]:
        """Each item as a case locates it: images become their hashes (all errors at once).

        The image bytes are handed back only so that child-safety evidence can be
        sealed; nothing else keeps them.
        """
        limits = ImageLimits.from_settings(self.cases.settings)
        located: list[tuple[Item, bytes | None]] = []
        bad: list[FieldProblem] = []
        too_large = False
        for n, item in enumerate(given):
            fields: dict[str, Any] = {"url": item.url, "content_id": item.content_id}
            raw: bytes | None = None
            if item.image is not None:
                try:
                    raw = _decode(item.image, limits.max_bytes)
                    # The screen's intake and limits; a full decode (no draft) within them,
                    # so that the kept PDQ is the reference hash of the reported image.
                    hashed = hash_image_bytes(raw, limits=limits, draft=False)
                except ConsentGateError as exc:
                    too_large = too_large or isinstance(exc, TooLarge)
                    bad.append(FieldProblem(field=f"items.{n}.image", message=exc.message))
                    continue
                fields |= {"md5": hashed.md5, "pdq": hashed.pdq, "pdq_quality": hashed.quality}
            located.append((Item(**fields), raw))
        if bad:
            raise NoticeTooLarge(bad) if too_large else InvalidNotice(bad)
        return located

    # -- reading -----------------------------------------------------------------
    def stored(self, notice_id: str) -> StoredNotice:
        """The notice as kept, for reviewers (it holds the notifier's contact details)."""
        with self.db.read() as conn:
            row = conn.execute(select(notices).where(notices.c.id == notice_id)).first()
        if row is None:
            raise NotFound(f"no notice {notice_id!r}")
        return StoredNotice(
            id=row.id,
            tracking_code=row.tracking_code,
            kind=row.kind,
            received_at=_utc(row.received_at),
            knowledge_at=datetime.fromisoformat(row.data["knowledge_at"]),
            data=row.data,
        )

    def appeal(self, tracking_code: str, appeal: NoticeAppeal) -> NoticeStatus:
        """The notifier contests the decision on one item (acting or not acting, EU-11)."""
        return self.appeal_once(tracking_code, appeal, None).status

    def appeal_once(
        self, tracking_code: str, appeal: NoticeAppeal, keyed: KeyedRequest | None
    ) -> Appealed:
        """``appeal``, once per ``Idempotency-Key``: a retry gets the status page, not a 409."""
        if not CODE_PATTERN.match(tracking_code):
            raise NotFound("no notice has this tracking code")
        with self.db.read() as conn:
            row = conn.execute(
                select(notices.c.data).where(notices.c.tracking_code == tracking_code)
            ).first()
        if row is None:
            raise NotFound("no notice has this tracking code")
        if keyed is not None and self.replays.replayed(keyed) is not None:
            return Appealed(status=self.status(tracking_code), replayed=True)
        opened = list(row.data["cases"])
        if appeal.item >= len(opened):
            raise BadInput(f"this notice has {len(opened)} item(s), numbered from 0", field="item")
        case_id = opened[appeal.item]
        done = self.replays.once(
            keyed,
            Outcome(result_id=case_id, status=200),
            lambda conn: self.cases.appeal(
                case_id, by=Appellant.REPORTER, text=appeal.text, actor=NOTIFIER, conn=conn
            ),
        )
        return Appealed(status=self.status(tracking_code), replayed=done.replayed)

    def status(self, tracking_code: str) -> NoticeStatus:
        """Each item's state and, once decided, the decision and how to contest it."""
        if not CODE_PATTERN.match(tracking_code):  # no store read for what cannot exist
            raise NotFound("no notice has this tracking code")
        with self.db.read() as conn:
            row = conn.execute(
                select(notices).where(notices.c.tracking_code == tracking_code)
            ).first()
            if row is None:
                raise NotFound("no notice has this tracking code")
            ids = list(row.data["cases"])
            found = {
                r.id: Case.model_validate(r.record)
                for r in conn.execute(
                    select(cases.c.id, cases.c.record).where(
                        cases.c.id.in_(ids), cases.c.notice_id == row.id
                    )
                )
            }
        given = row.data["items"]
        return NoticeStatus(
            tracking_code=row.tracking_code,
            kind=row.kind,
            received_at=_utc(row.received_at),
            items=tuple(
                self._item_status(found[case_id], item)
                for case_id, item in zip(ids, given, strict=True)
            ),
        )

    def _item_status(self, case: Case, given: dict[str, Any]) -> ItemStatus:
        decision = None
        if case.decided_at is not None and case.action is not None:
            automated = case.decided_by == AUTOMATED
            window = timedelta(days=self.cases.settings.appeal_window_days)
            decision = NoticeDecision(
                action=case.action,
                decided_at=case.decided_at,
                automation=Automation(
                    automated_means_used=automated,
                    explanation="decided by automated means, without a person"
                    if automated
                    else "decided by a person",
                ),
                redress=Redress(
                    appeal_until=case.decided_at + window,
                    how_to_appeal=HOW_TO_APPEAL,
                    other_routes=OTHER_ROUTES,
                ),
            )
        return ItemStatus(
            url=given.get("url"),
            content_id=given.get("content_id"),
            image_md5=given.get("md5"),
            state=case.state,
            decision=decision,
        )


def check_items(notice: Notice, settings: Settings) -> None:
    """Refuse a notice listing more items than its kind allows (``notice_max_items``).

    Why per kind: one anonymous child-safety notice listed 100 items, and each
    opened a case in the most urgent queue; a DSA notice from a trusted flagger
    may rightly list many more URLs than a report anyone can send.
    """
    most = settings.notice_max_items.get(notice.kind, MAX_ITEMS)
    if len(notice.items) > most:
        message = f"at most {most} items per {notice.kind} notice; send the rest in another"
        raise InvalidNotice([FieldProblem(field="items", message=message)])


def rank_of_item(notice: Notice, item: Item) -> int:
    """An anonymous report that gives neither an image nor a URL (only a content id) is
    the cheapest to send and the hardest to act on: it goes after the rest of its queue."""
    anonymous = getattr(notice, "notifier_name", None) is None and notice.contact_email is None
    unlocated = item.url is None and item.md5 is None
    return UNLOCATED if anonymous and unlocated else USUAL


def _decode(value: str, limit: int) -> bytes:
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("not valid base64") from None
    if not data:
        raise BadInput("empty")
    if len(data) > limit:
        raise TooLarge(f"the image is {len(data):,} bytes; the limit is {limit:,}")
    return data


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
