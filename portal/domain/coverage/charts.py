"""Charts as server-side SVG: no script, no CDN, no inline style (presentation attributes only).

Each chart is `<svg role="img" aria-labelledby=...>` with a <title> and a <desc>; pages show the
same numbers in a table beside it for screen readers and for copying.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

PALETTE = ("#b3261e", "#0b57d0", "#1b6e33", "#8a5300", "#6a1b9a", "#00695c", "#ad1457", "#37474f", "#5d4037",
           "#283593")
INK, MUTED, GRID, OK, BAR = "#1c1b1f", "#555555", "#d0ccc8", "#1b6e33", "#b3261e"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1
    target: float | None = None  # 0..1, drawn as a tick


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[date, float | None]]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="xMinYMin meet" id="{chart_id}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, desc: str = "") -> Markup:
    """Horizontal bars of rates (0-100%), with target ticks."""
    label_width, bar_width, row, top = 250, 330, 30, 24
    width, height = label_width + bar_width + 70, top + row * max(len(bars), 1) + 10
    parts = _open(chart_id, title, desc or "; ".join(f"{b.label}: {_percent(b.value)}" for b in bars), width, height)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + tick * bar_width
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="middle">{int(tick * 100)}%</text>')
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" font-size="13" fill="{INK}" '
                     f'text-anchor="end">{escape(_shorten(bar.label, 26))}</text>')
        value = max(0.0, min(1.0, bar.value or 0.0))
        colour = OK if bar.target is not None and bar.value is not None and bar.value >= bar.target else BAR
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{value * bar_width:.1f}" height="18" '
                     f'fill="{colour}" rx="2"/>')
        if bar.target is not None:
            x = label_width + min(bar.target, 1.0) * bar_width
            parts.append(f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + 25}" stroke="{INK}" '
                         f'stroke-width="2"/>')
        parts.append(f'<text x="{label_width + value * bar_width + 6:.1f}" y="{y + 17}" font-size="12" '
                     f'fill="{INK}">{_percent(bar.value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(chart_id: str, title: str, series: list[Series], *, desc: str = "") -> Markup:
    """Rates over time, one line per series, with a legend under the plot."""
    left, right, top, plot_height = 44, 16, 14, 200
    width = 640
    legend_rows = -(-len(series) // 2)
    height = top + plot_height + 30 + legend_rows * 20
    dates = sorted({day for s in series for day, _value in s.points})
    parts = _open(chart_id, title, desc or _line_desc(series), width, height)
    plot_width = width - left - right

    def x_of(day: date) -> float:
        if len(dates) < 2:
            return left + plot_width / 2
        return left + (day - dates[0]).days / max((dates[-1] - dates[0]).days, 1) * plot_width

    def y_of(value: float) -> float:
        return top + (1 - max(0.0, min(1.0, value))) * plot_height

    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="end">{int(tick * 100)}%</text>')
    for day in (dates[0], dates[-1]) if dates else ():
        parts.append(f'<text x="{x_of(day):.1f}" y="{top + plot_height + 16}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="{"start" if day == dates[0] else "end"}">{day.isoformat()}</text>')
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(x_of(day), y_of(value)) for day, value in one.points if value is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
        lx = left + (index % 2) * (plot_width / 2)
        ly = top + plot_height + 34 + (index // 2) * 20
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly + 2}" font-size="12" fill="{INK}">'
                     f'{escape(_shorten(one.label, 30))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _line_desc(series: list[Series]) -> str:
    parts = []
    for one in series:
        values = [v for _d, v in one.points if v is not None]
        if values:
            parts.append(f"{one.label}: {_percent(values[0])} → {_percent(values[-1])}")
    return "; ".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
