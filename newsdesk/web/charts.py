"""Charts as inline SVG, drawn on the server: no chart library, no script, prints as is.

Every text that reaches the SVG (series names, labels) is escaped here, since the result
is inserted into pages as markup; numbers are formatted by us.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 28, 12, 30
PALETTE = 8  # series take classes c0..c7 (colours in app.css)
MAX_DOTS = 80  # more points than this: the line alone (a dot each would drown it)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float, str]]  # (x, y, tooltip label of the point)


def _num(v: float) -> str:
    for scale, name in ((1e12, "tn"), (1e9, "bn"), (1e6, "mn"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:.3g}{name}"
    return f"{v:.3g}"


def line_chart(series: Sequence[Series], x_ticks: Sequence[tuple[float, str]], *,
               title: str, unit: str = "", bars: bool = False) -> Markup:
    """Lines (or bars, for a single series of counts) over a shared x axis, with a legend.
    Points carry <title> tooltips so a reader can hover for the exact value."""
    xs = [p[0] for s in series for p in s.points] + [t[0] for t in x_ticks]
    ys = [p[1] for s in series for p in s.points]
    if not xs or not ys:
        return Markup('<p class="empty">No data for this chart.</p>')
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    y0, top = min(0.0, min(ys)), max(ys)
    if y0 == top:
        top = y0 + 1
    y1 = top + (top - y0) * 0.08  # headroom above the highest point
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return round(LEFT + (x - x0) / (x1 - x0) * plot_w, 1)

    def sy(y: float) -> float:
        return round(TOP + plot_h - (y - y0) / (y1 - y0) * plot_h, 1)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for frac in (0.0, 0.5, 1.0):
        value = y0 + (top - y0) * frac
        y = sy(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
                     f'<text class="tick" x="{LEFT - 4}" y="{y + 4}" text-anchor="end">'
                     f'{escape(_num(value))}</text>')
    for x, label in x_ticks:
        parts.append(f'<text class="tick" x="{sx(x)}" y="{HEIGHT - 8}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    bar_w = max(2.0, plot_w / max(1, len({p[0] for s in series for p in s.points})) * 0.7)
    for i, s in enumerate(series):
        cls = f"c{i % PALETTE}"
        pts = sorted(s.points)
        if bars:
            for x, y, label in pts:
                top = sy(max(y, 0))
                parts.append(
                    f'<rect class="bar {cls}" x="{round(sx(x) - bar_w / 2, 1)}" y="{top}" '
                    f'width="{round(bar_w, 1)}" height="{round(sy(min(y, 0)) - top, 1)}">'
                    f'<title>{escape(s.name)}: {escape(_num(y))}{escape(unit)} '
                    f'({escape(label)})</title></rect>')
            continue
        if len(pts) > 1:
            coords = " ".join(f"{sx(x)},{sy(y)}" for x, y, _ in pts)
            parts.append(f'<polyline class="line {cls}" points="{coords}"/>')
        for x, y, label in pts if len(pts) <= MAX_DOTS else ():
            parts.append(f'<circle class="dot {cls}" cx="{sx(x)}" cy="{sy(y)}" r="3">'
                         f'<title>{escape(s.name)}: {escape(_num(y))}{escape(unit)} '
                         f'({escape(label)})</title></circle>')
    parts.append("</svg>")
    legend = "".join(f'<li><span class="key c{i % PALETTE}"></span>{escape(s.name)}</li>'
                     for i, s in enumerate(series))
    return Markup(f'<figure class="chart">{"".join(parts)}'
                  f'<figcaption><ul class="legend">{legend}</ul></figcaption></figure>')


def ticks(labels: Sequence[str], most: int = 8) -> list[tuple[float, str]]:
    """At most `most` evenly spaced labels of a categorical axis (x = index)."""
    if not labels:
        return []
    step = max(1, -(-len(labels) // most))
    return [(float(i), labels[i]) for i in range(0, len(labels), step)]


def periods(present: Sequence[str], bucket: str) -> list[str]:
    """Every year or month from the first present to the last, so a period with no
    articles shows as zero instead of being skipped; days: only those present."""
    found = sorted(set(present))
    if not found or bucket == "day":
        return found
    if bucket == "year":
        return [str(y) for y in range(int(found[0]), int(found[-1]) + 1)]
    (y, m), (y_end, m_end) = (map(int, found[0].split("-")), map(int, found[-1].split("-")))
    out = []
    while (y, m) <= (y_end, m_end):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
