"""The console's log-in and users pages in headless Chromium, against ``consentgate serve``.

Log in, log out (the session is over on the server, not only in the browser),
five wrong passwords lock the account, a form without its CSRF token (or
posted from another site) is refused, an admin adds and disables a user, and
axe-core finds no WCAG A/AA violation on the log-in and users pages at 1280×800
or on a 390 px phone, where nothing scrolls sideways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from consentgate.people import User
from tests.console.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.timeout(180)

GOOD = "correct horse battery staple"
Page = Any


def test_when_a_moderator_logs_in_and_out_then_the_session_lives_and_ends_on_the_server(
    console_server: str,
    make_user: Callable[..., User],
    browser_page: Page,
    logged_in: Callable[[Page, str, str], Page],
    _browser: Any,
) -> None:
    make_user("Maya Moderator", "moderator", GOOD)
    page = logged_in(browser_page, "maya moderator", GOOD)  # the name in another case
    assert page.url == f"{console_server}/console/queue"
    page.goto(f"{console_server}/console/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    nav = page.get_by_role("navigation", name="Console")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Queue", "Appeals", "Banks", "Reports"
    ]  # fmt: skip
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "cg_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/console/login?bye=1")
    assert page.get_by_role("status").inner_text() == "You have logged out."
    page.goto(f"{console_server}/console/account")
    assert "/console/login?next=/console/account" in page.url
    stolen = _browser.new_context()  # the old cookie, replayed: the server ended it
    stolen.add_cookies([{**cookie, "sameSite": "Strict"}])
    other = stolen.new_page()
    other.goto(f"{console_server}/console/account")
    assert "/console/login" in other.url
    stolen.close()


def test_when_five_wrong_passwords_are_typed_then_the_account_is_locked(
    console_server: str,
    make_user: Callable[..., User],
    browser_page: Page,
    screenshot: Callable[[Page, str], Any],
) -> None:
    make_user("lena", "appeals", GOOD)
    page = browser_page
    page.goto(f"{console_server}/console/login")
    said = []
    for attempt in range(6):
        page.get_by_label("Name").fill("lena")
        typed = GOOD if attempt == 5 else f"wrong guess number {attempt}"
        page.get_by_label("Password").fill(typed)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        said.append(page.get_by_role("alert").inner_text())
    assert said[:4] == ["Wrong name or password"] * 4
    assert "locked" in said[4]
    assert said[5].startswith("This account is locked")  # the right password, too late
    assert "/console/login" in page.url
    screenshot(page, "console-login-locked")


def test_when_a_form_lacks_its_csrf_token_or_comes_from_another_site_then_it_is_refused(
    console_server: str,
    make_user: Callable[..., User],
    browser_page: Page,
    logged_in: Callable[[Page, str, str], Page],
    _browser: Any,
) -> None:
    make_user("ada admin", "admin", GOOD)
    page = logged_in(browser_page, "ada admin", GOOD)
    page.goto(f"{console_server}/console/users")
    form = page.locator("form[action='/console/users']")
    form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    form.get_by_label("Name").fill("mallory")
    form.get_by_label("Password (at least").fill(GOOD)
    form.get_by_label("Repeat the password").fill(GOOD)
    with page.expect_navigation() as answer:
        form.get_by_role("button", name="Add user").click()
    assert answer.value.status == 403
    assert "reload the page" in page.get_by_role("alert").inner_text()
    # A page of another site posts the same form, with a stolen-looking token field.
    forged = page.context.new_page()
    forged.set_content(
        f'<form method="post" action="{console_server}/console/users">'
        '<input name="name" value="mallory"><input name="role" value="admin">'
        f'<input name="password" value="{GOOD}"><input name="repeat" value="{GOOD}">'
        '<input name="csrf_token" value="guess"><button>go</button></form>'
    )
    with forged.expect_navigation() as answer:
        forged.get_by_role("button").click()
    assert answer.value.status == 403
    page.goto(f"{console_server}/console/users")
    assert "mallory" not in page.locator("table.users").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Users"  # still logged in


def test_when_an_admin_adds_and_disables_a_user_then_that_user_is_in_and_then_out(
    console_server: str,
    make_user: Callable[..., User],
    browser_page: Page,
    logged_in: Callable[[Page, str, str], Page],
    _browser: Any,
) -> None:
    make_user("ola admin", "admin", GOOD)
    page = logged_in(browser_page, "ola admin", GOOD)
    page.goto(f"{console_server}/console/users")
    form = page.locator("form[action='/console/users']")
    form.get_by_label("Name").fill("nina new")
    form.get_by_label("Role").select_option("compliance")
    form.get_by_label("Password (at least").fill("nina's own long password")
    form.get_by_label("Repeat the password").fill("nina's own long password")
    with page.expect_navigation():
        form.get_by_role("button", name="Add user").click()
    assert page.get_by_role("status").inner_text() == "Added nina new."
    nina_context = _browser.new_context()
    nina = logged_in(nina_context.new_page(), "nina new", "nina's own long password")
    nina.goto(f"{console_server}/console/account")
    assert nina.get_by_role("heading", level=1).inner_text() == "Your account"
    row = page.locator("tr", has_text="nina new")
    with page.expect_navigation():
        row.get_by_role("button", name="Disable nina new").click()
    assert "Disabled nina new" in page.get_by_role("status").inner_text()
    nina.goto(f"{console_server}/console/account")
    assert "/console/login" in nina.url
    nina_context.close()


@pytest.mark.parametrize(("viewport", "suffix"), [("desktop", ""), ("phone", "-phone")])
def test_when_the_login_and_users_pages_are_checked_then_axe_finds_nothing_and_they_fit(
    console_server: str,
    make_user: Callable[..., User],
    _browser: Any,
    logged_in: Callable[[Page, str, str], Page],
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    screenshot: Callable[[Page, str], Any],
    viewport: str,
    suffix: str,
) -> None:
    size = DESKTOP if viewport == "desktop" else PHONE
    context = _browser.new_context(viewport=size)
    page = context.new_page()
    name = f"admin {viewport}"
    make_user(name, "admin", GOOD)
    make_user(f"someone {viewport}", "moderator", GOOD)
    page.goto(f"{console_server}/console/login")
    _check(page, axe_violations, size)
    screenshot(page, f"console-login{suffix}")
    logged_in(page, name, GOOD)
    page.goto(f"{console_server}/console/users")
    page.locator("details summary").first.click()  # an open reset form is checked too
    _check(page, axe_violations, size)
    screenshot(page, f"console-users{suffix}")
    context.close()


def _check(page: Page, axe: Callable[[Page], list[dict[str, Any]]], size: dict[str, int]) -> None:
    assert axe(page) == []
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= size["width"], f"the page is {wide} px wide in a {size['width']} px window"
    for field in page.locator("input:not([type=hidden]), select").all():
        box = field.bounding_box()
        assert box is not None and box["height"] >= 24  # a target a finger can hit
    assert re.search(r"\S", page.get_by_role("heading", level=1).inner_text())


def test_when_a_page_has_an_unlabelled_field_and_faint_text_then_axe_finds_both(
    browser_page: Page, axe_violations: Callable[[Page], list[dict[str, Any]]]
) -> None:
    browser_page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><input type="text">'
        '<p style="color:#bbb;background:#fff">faint</p></main></html>'
    )
    assert {v["id"] for v in axe_violations(browser_page)} >= {"label", "color-contrast"}
