"""The HTML report: rendered by headless Chromium (Debian ``chromium``) with its charts drawn,
escaped, and readable without a network (EU-12, UK-18).

Outside CI a machine without ``chromium`` skips the browser tests; in CI (``CI`` set)
they fail instead, so the check cannot silently stop running.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from consentgate.reports.html import duration, render_html
from tests.reports.test_transparency import report_of
from tests.reports.world import World

CHARTS = ("screens", "cases", "time_to_decision", "automation", "appeals", "banks")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return found


def browse(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


@pytest.fixture
def page(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(report_of(world)), encoding="utf-8")
    return path


@pytest.mark.slow
def test_EU_12_when_the_html_report_opens_in_headless_chromium_then_every_chart_is_drawn(
    page: Path, tmp_path: Path
) -> None:
    done = browse(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<h1>Transparency report: Example Ltd</h1>" in dom
    for name in CHARTS:
        chart = re.search(rf'<svg class="chart" data-chart="{name}".*?</svg>', dom, re.S)
        assert chart is not None, name
        if name not in ("time_to_decision",):
            assert 'class="mark"' in chart.group(0), f"{name} has no bars"
    assert dom.count('data-chart="') == len(CHARTS)


@pytest.mark.slow
def test_EU_12_when_the_html_report_is_screenshot_then_the_page_is_not_blank(
    page: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "shot.png"
    done = browse(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,1600")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # text, rules and chart colours, not an empty white page
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 100 and b < 110)
    assert red > 200  # the blocked screens' bars (#bc4b51) are drawn


def test_when_a_name_holds_markup_then_the_page_escapes_it(world: World) -> None:
    r = report_of(world).model_copy(update={"provider": '<script>alert("x")</script>'})
    html = render_html(r)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_when_the_page_is_rendered_then_it_fetches_nothing_and_prints(world: World) -> None:
    html = render_html(report_of(world))
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert "@media print" in html and "<script" not in html


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "–"), (600, "10 min"), (5400, "1.5 h"), (180_000, "50.0 h"), (864_000, "10.0 days")],
)
def test_when_a_duration_is_shown_then_it_reads_in_the_best_unit(
    seconds: float | None, shown: str
) -> None:
    assert duration(seconds) == shown
