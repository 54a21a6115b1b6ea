"""Shared helpers for the action tests: a fake platform, webhook settings and a worker."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from consentgate.cases.actions import action_hook
from consentgate.cases.clock import Clock
from consentgate.cases.records import Action, Case, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cases.worker import ActionWorker
from consentgate.settings import Settings
from consentgate.store.database import Database

URL = "https://platform.example/consentgate/actions"
SECRET = "platform-shared-secret"


def webhook_settings(db: Database, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db.url,
        "webhook_url": URL,
        "webhook_secret": SECRET,
        "action_retry_base_s": 10,
        "action_max_attempts": 3,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


@dataclass
class Platform:
    """An httpx MockTransport standing in for the platform: records every request."""

    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            request.read()
            self.requests.append(request)
            status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json={"ok": status < 300})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def bodies(self) -> list[dict[str, object]]:
        return [json.loads(r.content) for r in self.requests]


def hooked(db: Database, settings: Settings, clock: Clock) -> CaseService:
    return CaseService(db, settings, clock=clock, hooks=[action_hook(settings)])


def worker(
    db: Database, settings: Settings, clock: Clock, platform: Platform, cases: CaseService
) -> ActionWorker:
    return ActionWorker(db, settings, platform.client(), clock, cases=cases)


def removed(
    cases: CaseService, item: Item | None = None, reason: str = "reported by the person shown"
) -> Case:
    case = cases.open(CaseKind.TAKE_IT_DOWN, item or Item(url="https://platform.example/p/1"))
    return cases.decide(case.id, Action.REMOVE, reason=reason, actor="reviewer-a")


Opener = Callable[[], Case]
