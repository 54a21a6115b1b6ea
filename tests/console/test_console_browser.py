"""The console in headless Chromium: a case worked from the queue to removal with the keyboard,
appealed, the appeal decided by a second person, and the reversal read in the case's audit log.

The run takes screenshots of the queue and of a case page (benign test data); with
``CONSENTGATE_SCREENSHOTS_DIR=docs/img`` they are written where docs/console.md shows them.
It checks every page at 1280×800 and at 390 px wide (no sideways scrolling), every form
control's label, and text contrast (WCAG AA).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from consentgate.people import Role

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
SUBRESOURCES = {"script", "stylesheet", "image", "fetch", "xhr"}
PASSWORDS = {"alice": "alice-pass-4-tests", "bob": "bob-pass-4-tests"}

# Every visible form control has a label; every text meets WCAG AA contrast (4.5:1, or 3:1
# for large text) against the first opaque background behind it.
CHECK_PAGE = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden" || el.offsetParent === null) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) problems.push("no label: " + el.outerHTML.slice(0, 80));
  }
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.backgroundImage !== "none") return null;
      const c = rgb(st.backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.offsetParent === null) continue;
    const st = getComputedStyle(el);
    const bg = background(el);
    if (!bg) continue;
    const fg = rgb(st.color).slice(0, 3);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && +st.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5))
      problems.push("contrast " + ratio.toFixed(2) + ": " + node.textContent.trim().slice(0, 40));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push("scrolls sideways: " + document.documentElement.scrollWidth + " px");
  return problems;
}"""


def _notice(base: str, name: str, **changes: Any) -> dict[str, Any]:
    data = json.loads((EXAMPLES / f"{name}.json").read_text()) | changes
    answer = httpx.post(f"{base}/v1/notices", json=data, timeout=30)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _check(page: Any, where: str) -> None:
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(CHECK_PAGE) == [], f"{where} at {width} px"
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def errors(browser_page: Any) -> list[str]:
    """Script errors and console errors (a refused script or style counts) of the page."""
    found: list[str] = []

    def failed(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type in SUBRESOURCES:
            found.append(f"{response.status} {response.url}")

    def logged(msg: Any) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            found.append(msg.text)  # e.g. a script or style the page's policy refused

    browser_page.on("pageerror", lambda exc: found.append(str(exc)))
    browser_page.on("console", logged)
    browser_page.on("response", failed)
    return found


def test_when_a_case_is_worked_by_keyboard_appealed_and_reversed_then_the_log_shows_it(
    console_server: str,
    make_user: Callable[..., Any],
    browser_page: Any,
    logged_in: Callable[[Any, str, str], None],
    errors: list[str],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page, base = browser_page, console_server
    make_user("alice", Role.MODERATOR, PASSWORDS["alice"])
    make_user("bob", Role.APPEALS, PASSWORDS["bob"])
    child = _notice(base, "child_safety")["cases"][0]  # 1 hour: first in the queue
    takedown = _notice(base, "take_it_down")["cases"][0]
    _notice(base, "dsa_notice")

    logged_in(page, "alice", PASSWORDS["alice"])
    page.goto(f"{base}/console/queue")
    rows = page.locator("tbody tr[data-href]")
    assert rows.count() == 4
    assert rows.nth(0).get_attribute("data-href") == f"/console/cases/{child}"
    countdown = rows.nth(0).locator("[data-left]")
    first = countdown.inner_text()
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[countdown.element_handle(), first]
    )
    assert re.fullmatch(r"\d+m \d\ds left", countdown.inner_text())
    screenshot(page, "console-queue")
    _check(page, "queue")

    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    assert rows.nth(1).get_attribute("aria-current") == "true"
    assert rows.nth(1).get_attribute("data-href") == f"/console/cases/{takedown}"
    page.keyboard.press("r")
    page.wait_for_url(f"**/console/cases/{takedown}?act=remove*")
    assert page.locator("input[name=action][value=remove]").is_checked()
    assert page.evaluate("document.activeElement.id") == "reason"
    screenshot(page, "console-case")
    _check(page, "case page")
    page.keyboard.type("Intimate image shared without consent (TAKE IT DOWN request).")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/queue?decided=*")
    assert "is decided" in page.locator("[role=status]").inner_text()
    assert page.locator(f'tr[data-href="/console/cases/{takedown}"]').count() == 0

    page.goto(f"{base}/console/cases/{takedown}")
    assert "Removed" in page.locator("#summary").inner_text()
    page.select_option("#appeal-by", "affected_user")
    page.fill("#appeal-text", "This is my own photo and I agreed to share it.")
    page.click("#appeal button[type=submit]")
    page.wait_for_url("**?done=appealed")

    logged_in(page, "bob", PASSWORDS["bob"])
    page.goto(f"{base}/console/appeals")
    _check(page, "appeals")
    page.keyboard.press("Enter")  # the first appeal is selected and its link focused
    page.wait_for_url(f"**/console/cases/{takedown}")
    page.check("input[name=outcome][value=reversed]")
    page.fill("#appeal-reason", "The person shown consented; the removal is undone.")
    page.click("#appeal-decide button[type=submit]")
    page.wait_for_url("**?done=appeal_decided")

    history = page.locator("#history").inner_text()
    assert re.search(r"Decided by alice: remove; “Intimate image shared", history)
    assert re.search(r"Appealed by alice: for the affected user; “This is my own", history)
    assert re.search(r"Appeal decided by bob: reversed; “The person shown consented", history)
    assert "Appeal: reversed" in page.locator("#summary").inner_text()
    assert errors == []


def test_when_the_other_pages_are_opened_then_they_pass_the_same_checks(
    console_server: str,
    make_user: Callable[..., Any],
    browser_page: Any,
    logged_in: Callable[[Any, str, str], None],
    errors: list[str],
) -> None:
    page, base = browser_page, console_server
    make_user("ada", Role.ADMIN, "ada-pass-4-tests")
    receipt = _notice(base, "uk_intimate_image")
    logged_in(page, "ada", "ada-pass-4-tests")

    for path in ("/console/banks", "/console/reports", f"/console/cases/{receipt['cases'][0]}"):
        page.goto(base + path)
        _check(page, path)
    page.context.clear_cookies()
    page.goto(f"{base}/console/status")
    page.fill("#code", receipt["tracking_code"])
    page.click("button[type=submit]")
    assert "Not decided yet." in page.locator("main").inner_text()
    _check(page, "status")
    assert errors == []
