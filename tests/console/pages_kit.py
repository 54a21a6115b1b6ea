"""The console's pages in process: a TestClient app on a real store, acting as a chosen user.

Who is logged in is the one dependency the pages take from the session
(``console.session.console_user``); these tests set it per request to a user
they made, so that each test reads as "alice, a moderator, does this". CSRF is
checked by its own tests (``test_console_forms``): elsewhere ``csrf_checked``
is replaced so that a form is judged on its fields alone.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from consentgate.api.app import create_app
from consentgate.cases.intake import NoticeService
from consentgate.cases.notices import Receipt, parse_notice
from consentgate.cases.records import Case, CaseEvent, CaseKind, EventKind, Item
from consentgate.console.session import console_user, csrf_checked
from consentgate.people import Role, User
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.fakes import fake_engine
from tests.api.server import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
HEX = "0123456789abcdef"


@dataclass
class Console:
    app: FastAPI
    client: TestClient
    services: Services
    users: dict[str, User] = field(default_factory=dict)

    def user(self, name: str, role: Role) -> User:
        if name not in self.users:
            self.users[name] = self.services.keys.users.add(name, role)
        return self.users[name]

    def act_as(self, name: str, role: Role | None = None) -> User:
        """Every request from now on is ``name``'s (made with ``role`` the first time)."""
        user = self.users[name] if role is None else self.user(name, role)
        log_in_as(self.app, user)
        return user

    def log_out(self) -> None:
        self.app.dependency_overrides.pop(console_user, None)

    def check_csrf(self, on: bool = True) -> None:
        if on:
            self.app.dependency_overrides.pop(csrf_checked, None)
        else:
            self.app.dependency_overrides[csrf_checked] = lambda: None

    # -- what tests open cases with ------------------------------------------------
    def open(self, kind: CaseKind, url: str = "https://social.example/p/1", **kw: Any) -> Case:
        return self.services.cases.open(kind, Item(url=url), **kw)

    def notice(self, name: str, **changes: Any) -> Receipt:
        data = json.loads((EXAMPLES / f"{name}.json").read_text()) | changes
        notice = parse_notice(json.dumps(data))
        intake = NoticeService(
            self.services.db, self.services.cases, vault=self.services.automated.vault
        )
        return intake.submit(notice)

    def events(self, case_id: str, kind: EventKind | None = None) -> list[CaseEvent]:
        found = self.services.cases.history(case_id)
        return [e for e in found if kind is None or e.kind is kind]

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data=data, follow_redirects=False)


def log_in_as(app: FastAPI, user: User) -> None:
    """Every request to ``app`` from now on is ``user``'s."""

    async def logged_in(request: Request) -> User:
        request.state.user = user
        return user

    app.dependency_overrides[console_user] = logged_in


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(database_url=database_url, **overrides)


@contextmanager
def console_app(settings: Settings) -> Iterator[Console]:
    app = create_app(
        lambda: Services.build(settings, engine_factory=fake_engine),
        background=False,
        max_body_size=settings.max_request_bytes,
    )
    with TestClient(app) as client:
        console = Console(app, client, app.state.runtime.ready_services())
        console.check_csrf(False)
        yield console


def evidence_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@contextmanager
def served_console(settings: Settings) -> Iterator[tuple[str, FastAPI, Services]]:
    """The app served by uvicorn on 127.0.0.1 (for a browser), its base URL and services."""
    app = create_app(lambda: Services.build(settings, engine_factory=fake_engine), background=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the console server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app, app.state.runtime.ready_services()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
