"""Charts for the HTML report, drawn on the server as inline SVG (no script, no fetch).

Why by hand and so small: the report must open offline, print, and show the
same thing in every browser; four chart shapes cover it (columns over time,
horizontal bars, a percentile range against a deadline, a split bar). Every
label goes through ``escape``; sizes are in SVG units and scale to the page.
Each chart is ``<svg class="chart" data-chart=NAME role="img">`` with a
``<title>`` that says what it shows, for screen readers and for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 720
COLOURS = {
    "allow": "#4c956c",
    "review": "#f4a259",
    "block": "#bc4b51",
    "received": "#5b8e7d",
    "decided": "#8cb369",
    "automated": "#3d5a80",
    "human": "#98c1d9",
    "upheld": "#5b8e7d",
    "reversed": "#bc4b51",
    "pending": "#c9c9c9",
    "p50": "#3d5a80",
    "p90": "#98c1d9",
    "bar": "#3d5a80",
}


def _svg(name: str, title: str, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" data-chart="{escape(name)}" role="img" viewBox="0 0 {WIDTH} '
        f'{height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}'
        f"</title><style>text{{font:12px sans-serif;fill:#222}}</style>{body}</svg>"
    )


def _legend(names: Sequence[str], y: int) -> str:
    parts, x = [], 10
    for name in names:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS.get(name, "#888")}"/>'
            f'<text x="{x + 14}" y="{y}">{escape(name)}</text>'
        )
        x += 24 + 8 * len(name)
    return "".join(parts)


def columns(
    name: str,
    title: str,
    labels: Sequence[str],
    stacks: dict[str, Sequence[int]],
    *,
    side_by_side: bool = False,
) -> Markup:
    """Columns, one group per label (a day or a month), one colour per series: stacked (parts
    of one whole), or side by side (different measures, such as received and decided)."""
    height, top, bottom, left = 240, 24, 40, 50
    plot_h, plot_w = height - top - bottom, WIDTH - left - 10
    if side_by_side:
        totals = [max((s[i] for s in stacks.values()), default=0) for i in range(len(labels))]
    else:
        totals = [sum(s[i] for s in stacks.values()) for i in range(len(labels))]
    peak = max(totals, default=0) or 1
    step = plot_w / max(len(labels), 1)
    bar = max(step * 0.8, 1.0)
    width = bar / len(stacks) if side_by_side and stacks else bar
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x, y = left + i * step, float(top + plot_h)
        for n, (series, values) in enumerate(stacks.items()):
            h = values[i] / peak * plot_h
            if h <= 0:
                continue
            at_x, at_y = (x + n * width, top + plot_h - h) if side_by_side else (x, y - h)
            y = y if side_by_side else y - h
            body.append(
                f'<rect class="mark" x="{at_x:.1f}" y="{at_y:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS.get(series, "#888")}"><title>'
                f"{escape(label)} {escape(series)}: {values[i]:,}</title></rect>"
            )
    shown = sorted({0, len(labels) - 1, len(labels) // 2}) if labels else []
    for i in shown:
        x, anchor = left + i * step + bar / 2, "middle"
        if i == 0:
            x, anchor = left, "start"
        elif i == len(labels) - 1:
            x, anchor = left + (i + 1) * step, "end"
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}">'
            f"{escape(labels[i])}</text>"
        )
    body.append(_legend(list(stacks), height - 6))
    return _svg(name, title, height, "".join(body))


def bars(name: str, title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, one per row, with the value written after the bar."""
    left, row_h = 200, 26
    height = 20 + row_h * max(len(rows), 1)
    peak = max((v for _, v in rows), default=0) or 1
    body = []
    for i, (label, value) in enumerate(rows):
        y = 10 + i * row_h
        w = value / peak * (WIDTH - left - 120)
        body.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="mark" x="{left}" y="{y}" width="{w:.1f}" height="18" '
            f'fill="{COLOURS["bar"]}"/><text x="{left + w + 6:.1f}" y="{y + 14}">'
            f"{value:,.0f}{escape(unit)}</text>"
        )
    if not rows:
        body.append(f'<text x="{left}" y="24">none</text>')
    return _svg(name, title, height, "".join(body))


Range = tuple[str, float | None, float | None, float]
"""A queue's label, its p50 and p90 in hours (None: nothing decided), and its deadline."""


def ranges(name: str, title: str, rows: Sequence[Range]) -> Markup:
    """Per row (a queue): the median and 90th percentile in hours, against its deadline."""
    left, row_h = 150, 34
    height = 36 + row_h * max(len(rows), 1)
    peak = max([d for *_, d in rows] + [p or 0 for _, _, p, _ in rows], default=1) or 1
    scale = (WIDTH - left - 150) / peak
    body = []
    for i, (label, p50, p90, deadline) in enumerate(rows):
        y = 10 + i * row_h
        body.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        if p90 is not None:
            body.append(
                f'<rect class="mark" x="{left}" y="{y + 2}" width="{p90 * scale:.1f}" '
                f'height="14" fill="{COLOURS["p90"]}"/>'
            )
        if p50 is not None:
            body.append(
                f'<rect class="mark" x="{left}" y="{y + 2}" width="{p50 * scale:.1f}" '
                f'height="14" fill="{COLOURS["p50"]}"/>'
            )
        x = left + deadline * scale
        text_x = max(x, left + max(p50 or 0, p90 or 0) * scale) + 6
        body.append(
            f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + 20}" stroke="#bc4b51" '
            f'stroke-width="2"/><text x="{text_x:.1f}" y="{y + 14}">deadline {deadline:g} h'
            "</text>"
        )
    body.append(_legend(["p50", "p90"], height - 6))
    return _svg(name, title, height, "".join(body))


def split(name: str, title: str, parts: Sequence[tuple[str, int]]) -> Markup:
    """One bar split into its parts (e.g. automated and human), each with its count."""
    total = sum(v for _, v in parts)
    x, body = 10.0, []
    for label, value in parts:
        w = (value / total * (WIDTH - 20)) if total else 0
        if w > 0:
            body.append(
                f'<rect class="mark" x="{x:.1f}" y="10" width="{w:.1f}" height="24" '
                f'fill="{COLOURS.get(label, "#888")}"><title>{escape(label)}: {value:,}'
                "</title></rect>"
            )
        x += w
    if not total:
        body.append('<text x="10" y="26">none in this period</text>')
    legend = [f"{label} {value:,}" for label, value in parts]
    body.append(
        "".join(
            f'<rect x="{10 + i * 180}" y="44" width="10" height="10" '
            f'fill="{COLOURS.get(parts[i][0], "#888")}"/>'
            f'<text x="{24 + i * 180}" y="53">{escape(text)}</text>'
            for i, text in enumerate(legend)
        )
    )
    return _svg(name, title, 64, "".join(body))
