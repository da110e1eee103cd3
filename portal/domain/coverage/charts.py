"""Charts as server-side SVG: no script, no CDN, no inline style (presentation attributes only).

Each chart is `<svg role="img" aria-labelledby=...>` with a <title> and a <desc>; pages show the
same numbers in a table beside it for screen readers and for copying.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

# Okabe-Ito: colours told apart by readers with every common colour-vision deficiency; the yellow (#F0E442) is
# left out (unreadable on white). Lines also differ by marker shape and dash, and are named at their ends.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross")
DASHES = ("", "6 3", "2 3")  # a third way to tell lines apart once colours and markers repeat
INK, MUTED, GRID = "#1c1b1f", "#555555", "#d0ccc8"
MET, BEHIND = "#0072B2", "#D55E00"  # bars: blue when the target is met, vermillion when behind (never red/green)


def style_of(index: int) -> tuple[str, str, str]:
    """The colour, marker and dash of the index-th line: no two of the first 42 lines look the same."""
    return (PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)],
            DASHES[(index // len(PALETTE)) % len(DASHES)])


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1
    target: float | None = None  # 0..1, drawn as a tick


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[date, float | None]]
    target: float | None = None  # 0..1, drawn as a horizontal line
    deadline: date | None = None  # drawn as a vertical line


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="xMinYMin meet" id="{chart_id}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, desc: str = "") -> Markup:
    """Horizontal bars of rates (0-100%), with target ticks; a label too long for one line takes two."""
    label_width, bar_width, row, top = 230, 330, 36, 24
    width, height = label_width + bar_width + 90, top + row * max(len(bars), 1) + 10
    parts = _open(chart_id, title, desc or "; ".join(f"{b.label}: {_percent(b.value)}" for b in bars), width, height)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + tick * bar_width
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="middle">{int(tick * 100)}%</text>')
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(_text_lines(label_width - 8, y + 21, _wrap(bar.label, 30), size=13, anchor="end"))
        value = max(0.0, min(1.0, bar.value or 0.0))
        met = bar.target is not None and bar.value is not None and bar.value >= bar.target
        parts.append(f'<rect x="{label_width}" y="{y + 8}" width="{value * bar_width:.1f}" height="18" '
                     f'fill="{MET if met else BEHIND}" rx="2" data-met="{"yes" if met else "no"}"/>')
        if bar.target is not None:
            x = label_width + min(bar.target, 1.0) * bar_width
            parts.append(f'<line x1="{x:.1f}" y1="{y + 4}" x2="{x:.1f}" y2="{y + 30}" stroke="{INK}" '
                         f'stroke-width="2"/>')
        mark = " ✓" if met else ""  # met or not, told by a sign as well as by the colour
        parts.append(f'<text x="{label_width + value * bar_width + 6:.1f}" y="{y + 21}" font-size="12" '
                     f'fill="{INK}">{_percent(bar.value)}{mark}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the line chart and how dates and rates map onto it."""

    left: float
    top: float
    width: float
    height: float
    first: date | None
    last: date | None

    def x(self, day: date) -> float:
        if self.first is None or self.last is None or self.first == self.last:
            return self.left + self.width / 2
        return self.left + (day - self.first).days / (self.last - self.first).days * self.width

    def y(self, value: float) -> float:
        return self.top + (1 - max(0.0, min(1.0, value))) * self.height


LABEL_LINE = 14  # px between lines of the labels at the lines' ends


def line_chart(chart_id: str, title: str, series: list[Series], *, desc: str = "", labels: dict | None = None) -> Markup:
    """Rates over time, one line per series: its own colour, marker and dash, its name at its end (moved apart
    where ends meet), the deadline as a vertical line and the target as a horizontal one, each labelled.
    `labels` words the reference lines: {"target": "Target %(rate)s", "deadline": "Deadline %(date)s"}."""
    labels = labels or {"target": "Target %(rate)s", "deadline": "Deadline %(date)s"}
    dates = sorted({day for s in series for day, _value in s.points})
    deadlines = sorted({s.deadline for s in series if s.deadline})
    first, last = (dates[0], dates[-1]) if dates else (None, None)
    # the deadline is drawn where it falls when it is no further ahead than the data reach back
    shown = [d for d in deadlines if first and first <= d <= last + max(last - first, timedelta(days=7))]
    if shown:
        last = max(last, shown[-1])
    ends = _end_labels(series)
    label_rows = sum(len(lines) for _y, lines, _i in ends)
    frame = _Frame(left=44, top=22, width=400, height=max(200, label_rows * LABEL_LINE + 10), first=first, last=last)
    width, height = 720, int(frame.top + frame.height + 44)
    parts = _open(chart_id, title, desc or _line_desc(series), width, height)
    parts += _grid(frame, dates)
    parts += _reference_lines(frame, series, shown, [d for d in deadlines if d not in shown], labels)
    for index, one in enumerate(series):
        parts += _series(frame, one, index)
    parts += _place_labels(frame, ends)
    parts.append("</svg>")
    return Markup("".join(parts))


def _grid(frame: _Frame, dates: list[date]) -> list[str]:
    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = frame.y(tick)
        parts.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.left + frame.width}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y + 4:.1f}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="end">{int(tick * 100)}%</text>')
    bottom = frame.top + frame.height + 16
    for day, anchor in ((dates[0], "start"), (dates[-1], "end")) if dates else ():
        parts.append(f'<text x="{frame.x(day):.1f}" y="{bottom}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="{anchor if len(dates) > 1 else "middle"}">{day.isoformat()}</text>')
    return parts


def _reference_lines(frame: _Frame, series: list[Series], shown: list[date], beyond: list[date],
                     labels: dict) -> list[str]:
    """The target rates (horizontal, dashed) and the deadlines (vertical; past the plot's end, named at its edge)."""
    parts = []
    for rate in sorted({s.target for s in series if s.target is not None}):
        y = frame.y(rate)
        parts.append(f'<line class="target" x1="{frame.left}" y1="{y:.1f}" x2="{frame.left + frame.width}" '
                     f'y2="{y:.1f}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="8 4" data-rate="{rate}"/>')
        parts.append(f'<text class="target-label" x="{frame.left + 4}" y="{y - 5:.1f}" font-size="11" fill="{INK}">'
                     f'{escape(labels["target"] % {"rate": _percent(rate)})}</text>')
    bottom = frame.top + frame.height
    for day in shown:
        x = frame.x(day)
        parts.append(f'<line class="deadline" x1="{x:.1f}" y1="{frame.top - 8}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 3" data-date="{day.isoformat()}"/>')
        parts.append(f'<text class="deadline-label" x="{x - 4:.1f}" y="{bottom + 30}" font-size="11" fill="{INK}" '
                     f'text-anchor="end">{escape(labels["deadline"] % {"date": day.isoformat()})}</text>')
    for offset, day in enumerate(beyond):
        parts.append(f'<text class="deadline-label" x="{frame.left + frame.width}" y="{bottom + 30 + offset * 13}" '
                     f'font-size="11" fill="{INK}" text-anchor="end" data-date="{day.isoformat()}">'
                     f'{escape(labels["deadline"] % {"date": day.isoformat()})} →</text>')
    return parts


def _series(frame: _Frame, one: Series, index: int) -> list[str]:
    colour, marker, dash = style_of(index)
    points = [(frame.x(day), frame.y(value)) for day, value in one.points if value is not None]
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline class="series" points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                     f'{dashes} data-series="{index}"/>')
    parts += [_marker(marker, x, y, colour, index) for x, y in points]
    return parts


def _marker(shape: str, x: float, y: float, colour: str, index: int, size: float = 4.0) -> str:
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1" class="marker" data-marker="{shape}" ' \
             f'data-series="{index}"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" {common}/>'
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size}" height="{2 * size}" {common}/>'
    corners = {"triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)), "triangle-down": ((0, 1.2), (1.1, -0.9), (-1.1, -0.9)),
               "diamond": ((0, -1.3), (1.1, 0), (0, 1.3), (-1.1, 0)),
               "cross": ((-0.4, -1.2), (0.4, -1.2), (0.4, -0.4), (1.2, -0.4), (1.2, 0.4), (0.4, 0.4), (0.4, 1.2),
                         (-0.4, 1.2), (-0.4, 0.4), (-1.2, 0.4), (-1.2, -0.4), (-0.4, -0.4))}[shape]
    points = " ".join(f"{x + dx * size:.1f},{y + dy * size:.1f}" for dx, dy in corners)
    return f'<polygon points="{points}" {common}/>'


def _end_labels(series: list[Series]) -> list[tuple[tuple[date, float] | None, list[str], int]]:
    """((date, rate) of the last point, the name's lines, series index) of every series, highest end first."""
    ends = []
    for index, one in enumerate(series):
        points = [(d, v) for d, v in one.points if v is not None]
        ends.append((points[-1] if points else None, _wrap(one.label, 30), index))
    return sorted(ends, key=lambda end: (-(end[0][1] if end[0] is not None else -1), end[2]))


def _place_labels(frame: _Frame, ends) -> list[str]:
    """Each series' name right of the plot at the height of its last point, pushed down (then back up) just
    enough that no two overlap, with a leader from the line's end and the series' marker."""
    wanted = [frame.y(end[1]) if end is not None else frame.top + frame.height for end, _lines, _i in ends]
    tops, floor = [], frame.top - 4
    for want, (_value, lines, _index) in zip(wanted, ends):
        top = max(want - LABEL_LINE / 2, floor)
        tops.append(top)
        floor = top + len(lines) * LABEL_LINE
    overflow = floor - (frame.top + frame.height + 10)
    if overflow > 0:  # pushed past the bottom: move the stack back up, never above the plot's top
        tops = [max(frame.top - 4, top - overflow) for top in tops]
    parts, x_end = [], frame.left + frame.width
    for top, want, (end, lines, index) in zip(tops, wanted, ends):
        colour, marker, _dash = style_of(index)
        y = top + LABEL_LINE / 2
        if end is not None:
            parts.append(f'<polyline points="{frame.x(end[0]) + 6:.1f},{want:.1f} {x_end + 2},{want:.1f} '
                         f'{x_end + 22},{y:.1f}" fill="none" stroke="{colour}" stroke-width="1" '
                         f'stroke-dasharray="1 2"/>')
        parts.append(_marker(marker, x_end + 30, y, colour, index))
        parts.append(_text_lines(x_end + 40, y + 4, lines, size=12, anchor="start", css="end-label",
                                 extra=f' data-series="{index}"'))
    return parts


def _text_lines(x: float, y: float, lines: list[str], *, size: int, anchor: str, css: str = "",
                extra: str = "") -> str:
    """A <text> of one or more lines (tspans), the first on `y`."""
    if len(lines) > 1 and anchor == "end":
        y -= (len(lines) - 1) * (size + 1) / 2
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else size + 1}">{escape(line)}</tspan>'
                    for n, line in enumerate(lines))
    klass = f' class="{css}"' if css else ""
    return (f'<text{klass} x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" text-anchor="{anchor}"{extra}>'
            f'{spans}</text>')


def _wrap(text: str, limit: int) -> list[str]:
    """Lines of at most about `limit` characters (a CJK character counts two), broken at spaces where there are
    any; never cut off."""
    def width(part: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in part)

    lines, line = [], ""
    for word in text.split(" ") if " " in text else [text]:
        while width(word) > limit and " " not in text:  # a long CJK name: break between characters
            cut = next(n for n in range(len(word), 0, -1) if width(word[:n]) <= limit)
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if line and width(candidate) > limit:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]


def _line_desc(series: list[Series]) -> str:
    parts = []
    for one in series:
        values = [v for _d, v in one.points if v is not None]
        if values:
            parts.append(f"{one.label}: {_percent(values[0])} → {_percent(values[-1])}")
    return "; ".join(parts)
