"""Fixtures for the console's browser tests: a served console, its users, headless Chromium.

- ``console_server``: ``consentgate serve`` on a free port with a SQLite store
  (one for the test session; tests keep apart by their own user names); yields
  the base URL. ``console_database_url`` is its store, for tests that seed data.
- ``make_user(name, role, password)``: a user who can log in.
- ``browser_page``: a fresh page (own cookies) in Debian's ``chromium``, driven
  by Playwright through ``executable_path`` (no browser is downloaded),
  1280×800. Outside CI the tests skip, saying why, when chromium or Playwright
  is missing; in CI (``CI`` set) that is a failure.
- ``logged_in(page, name, password)``: logs the page in; returns it.
- ``screenshot(page, name)``: a PNG of the page; with
  ``CONSENTGATE_SCREENSHOTS_DIR=docs/img`` it is also written there (the
  pictures in docs/console.md come from such a run, of test data only).
- ``axe_violations(page)``: what axe-core (vendored, MPL-2.0) finds on the page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from consentgate.people import Role, User
from consentgate.service.accounts import Accounts
from consentgate.service.logins import build_logins
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.api.server import serving
from tests.console.fakes import cheap_passwords

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def console_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}"


@pytest.fixture(scope="session")
def console_server(console_database_url: str) -> Iterator[str]:
    """``consentgate serve`` (one worker, the light detector set) over a SQLite store."""
    env = {
        **os.environ,
        "CONSENTGATE_DATABASE_URL": console_database_url,
        "CONSENTGATE_DETECTORS": "hash_match",
        # Browser tests fail passwords on purpose; the per-address limit has its own tests.
        "CONSENTGATE_AUTH_FAILURE_BURST": "100000",
    }
    with serving(env) as url:
        yield url


@pytest.fixture
def make_user(console_database_url: str, console_server: str) -> Iterator[Callable[..., User]]:
    db = Database(console_database_url)
    accounts = Accounts(
        build_logins(db, Settings(database_url=console_database_url), passwords=cheap_passwords())
    )

    def make(name: str, role: Role | str, password: str) -> User:
        return accounts.add(name, Role(role), password)

    yield make
    db.dispose()


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
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
    def log_in(page: Any, name: str, password: str) -> Any:
        page.goto(f"{console_server}/console/login?next=/console/account")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
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
