"""The HTML report, opened in a real browser (headless Debian ``chromium``).

The page must stand alone: its tables and its inline SVG charts are read back
from the DOM the browser built. ``.ci/run`` installs chromium; outside CI the
test is skipped only when chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from consentgate.assess.outcome import AnswerKind, ItemResult
from consentgate.assess.render import write_report
from consentgate.assess.report import build_report
from consentgate.assess.suite import Suite, SuiteItem
from consentgate.records import Mode
from tests.assess.test_report import RESULTS, SUITE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
TABLES = (
    "by-category",
    "by-tactic",
    "by-language",
    "by-photo",
    "outcomes",
    "latency",
    "leaked",
    "answered-harmful",
    "refused-benign",
    "glossary",
)
CHARTS = ("chart-tactic-harmful", "chart-tactic-benign", "chart-language-harmful")


class Dom(HTMLParser):
    """Element ids, each table's rows, each SVG's bars, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.bars: Counter[str] = Counter()
        self._table: str | None = None
        self._svg: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs).get("id")
        if found:
            self.ids.add(found)
        self.tags[tag] += 1
        if tag == "table":
            self._table = found
        elif tag == "tr" and self._table and self._table_body:
            self.rows[self._table] += 1
        elif tag == "tbody":
            self._table_body = True
        elif tag == "svg":
            self._svg = found
        elif tag == "rect" and self._svg:
            self.bars[self._svg] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tbody":
            self._table_body = False
        elif tag == "svg":
            self._svg = None

    _table_body = False


def dump_dom(page: Path, profile: Path) -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_when_the_report_is_opened_in_chromium_then_its_tables_and_charts_are_there(
    tmp_path: Path,
) -> None:
    hostile = SuiteItem(
        "x~plain", "x", HOSTILE, Mode.GENERATE, True, "explicit", "plain", "en", None
    )
    suite = Suite("unit", 0, (*SUITE.items, hostile))
    results = {
        **RESULTS,
        hostile.id: ItemResult(id=hostile.id, outcome=AnswerKind.GENERATED, latency_ms=3.0),
    }
    report = build_report(suite, results, "scripted <b>endpoint</b>")
    page = tmp_path / "report.html"
    write_report(report, page)
    dom = Dom()
    dom.feed(dump_dom(page, tmp_path / "profile"))
    for table in TABLES:
        assert table in dom.ids, table
    assert dom.rows["by-tactic"] == len(report.by_tactic)
    assert dom.rows["by-category"] == len(report.by_category)
    assert dom.rows["by-language"] == len(report.by_language)
    assert dom.rows["leaked"] == report.leaks == 1
    for chart in CHARTS:
        assert chart in dom.ids, chart
    assert dom.bars["chart-tactic-harmful"] == sum(1 for g in report.by_tactic if g.harmful.n)
    assert dom.bars["chart-tactic-benign"] == sum(1 for g in report.by_tactic if g.benign.n)
    assert dom.bars["chart-language-harmful"] == sum(1 for g in report.by_language if g.harmful.n)
    assert {"figure-harmful", "figure-benign", "figure-leaks", "incomplete"} <= dom.ids
    # attacker-written request texts stay text: no script, image or bold element from them
    assert dom.tags["script"] == 0 and dom.tags["img"] == 0 and dom.tags["b"] == 0
    assert "http://" not in page.read_text().replace("http://www.w3.org/2000/svg", "")
