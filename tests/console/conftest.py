"""Fixtures for the console's browser tests: a served console, its users, headless Chromium.

- ``console_server``: the app (fake detectors, a fresh SQLite store per test:
  ``console_settings``) served by uvicorn on a free port; yields the base URL.
- ``make_user(name, role, password)``: a user who can log in (argon2id with
  cheap parameters; the server re-hashes at the first log-in).
- ``browser_page``: a fresh page (own cookies) in Debian's ``chromium``, driven
  by Playwright through ``executable_path`` (no browser is downloaded),
  1280×800. Outside CI the tests skip, saying why, when chromium or Playwright
  is missing; in CI (``CI`` set) that is a failure.
- ``logged_in(page, name, password)``: logs the page in afresh, waits for the
  queue (where a log-in lands); returns the page.
- ``screenshot(page, name)``: a PNG of the page; with
  ``CONSENTGATE_SCREENSHOTS_DIR=docs/img`` it is also written there (the
  pictures in docs/console.md come from such a run, of test data only).
- ``axe_violations(page)``: what axe-core (vendored, MPL-2.0) finds on the page.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from consentgate.api.app import create_app
from consentgate.people import Role, User
from consentgate.service.accounts import Accounts
from consentgate.service.logins import build_logins
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.api.fakes import fake_engine
from tests.api.server import free_port
from tests.console.fakes import cheap_passwords

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    """A fresh SQLite store per test. Browser tests fail passwords on purpose, so the
    per-address limit (tested in test_console_http.py) is set out of their way."""
    return Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'console.db'}", auth_failure_burst=100_000
    )


@pytest.fixture
def console_server(console_settings: Settings) -> Iterator[str]:
    """The app (fake detectors) served by uvicorn on 127.0.0.1 in a thread; yields its URL."""
    app = create_app(
        lambda: Services.build(console_settings, engine_factory=fake_engine), background=False
    )
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console server did not become ready")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def make_user(console_settings: Settings, console_server: str) -> Iterator[Callable[..., User]]:
    """``make(name, role, password)``: a user of the served store (no password: keys only)."""
    db = Database(console_settings.database_url)
    accounts = Accounts(build_logins(db, console_settings, passwords=cheap_passwords()))

    def make(name: str, role: Role | str, password: str = "") -> User:
        return accounts.add(name, Role(role), password or None)

    yield make
    db.dispose()


@pytest.fixture(scope="module")
def _browser() -> Iterator[Any]:
    # Module-scoped: Playwright's sync API keeps an event loop running in the main
    # thread while it is open, and later modules' ``asyncio.run`` must not meet it.
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = missing or "Playwright for Python is not installed (the dev extra)"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser: Any) -> Iterator[Any]:
    context = _browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def logged_in(console_server: str) -> Callable[[Any, str, str], Any]:
    """``log_in(page, name, password)``: a fresh log-in (cookies cleared); lands on the queue."""

    def log_in(page: Any, name: str, password: str) -> Any:
        page.context.clear_cookies()
        page.goto(f"{console_server}/console/login")
        page.fill("#name", name)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/queue**")
        return page

    return log_in


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Any, str], Path]:
    def take(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 2000  # a page, not a blank
        target = os.environ.get("CONSENTGATE_SCREENSHOTS_DIR")
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(target) / path.name)
        return path

    return take


@pytest.fixture
def axe_violations() -> Callable[[Any], list[dict[str, Any]]]:
    """Runs axe-core's WCAG 2.x A and AA rules in the page (evaluated past the page's CSP)."""
    source = AXE.read_text(encoding="utf-8")

    def run(page: Any) -> list[dict[str, Any]]:
        page.evaluate(source)
        found: list[dict[str, Any]] = page.evaluate(
            """async () => (await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' '))}))"""
        )
        return found

    return run
