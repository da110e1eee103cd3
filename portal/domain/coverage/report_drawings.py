"""The coverage report's drawings (reportlab graphics): coverage per group as bars against the target, coverage
over time as lines, in the report's colours."""
from __future__ import annotations

from datetime import date

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from portal.domain.coverage.arithmetic import rate_text
from portal.domain.coverage.charts import style_of

RED = colors.Color(0.70, 0.15, 0.12)
HEAD = colors.Color(0.945, 0.93, 0.914)
LINE = colors.Color(0.816, 0.8, 0.784)


def bar_drawing(bars: list[tuple[str, float | None, float | None]], font: str) -> Drawing:
    """Horizontal bars of coverage with a target tick, like the dashboard's SVG."""
    label_width, bar_width, row = 70 * mm, 90 * mm, 6.5 * mm
    height = row * len(bars) + 8 * mm
    drawing = Drawing(180 * mm, height)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + tick * bar_width
        drawing.add(Line(x, 2, x, height - 6 * mm, strokeColor=LINE, strokeWidth=0.5))
        drawing.add(String(x, height - 4 * mm, f"{int(tick * 100)}%", fontName=font, fontSize=7, textAnchor="middle"))
    for index, (label, value, target) in enumerate(bars):
        y = height - 8 * mm - (index + 1) * row + 1.5 * mm
        drawing.add(String(label_width - 2 * mm, y + 1, label[:32], fontName=font, fontSize=7, textAnchor="end"))
        width = max(0.0, min(1.0, value or 0.0)) * bar_width
        met = value is not None and target is not None and value >= target
        drawing.add(Rect(label_width, y, width, 4 * mm, fillColor=colors.Color(0.11, 0.43, 0.2) if met else RED,
                         strokeColor=None))
        if target is not None:
            x = label_width + min(target, 1.0) * bar_width
            drawing.add(Line(x, y - 1, x, y + 5 * mm, strokeColor=colors.black, strokeWidth=1))
        drawing.add(String(label_width + width + 2 * mm, y + 1, rate_text(value), fontName=font, fontSize=7))
    return drawing


def line_drawing(series: list[tuple[str, list[tuple[date, float | None]]]], font: str) -> Drawing:
    """Coverage over time, one line per group, with a legend."""
    left, plot_width, plot_height = 12 * mm, 160 * mm, 55 * mm
    legend_rows = -(-len(series) // 3)
    height = plot_height + 12 * mm + legend_rows * 5 * mm
    bottom = 8 * mm + legend_rows * 5 * mm
    drawing = Drawing(180 * mm, height)
    days = sorted({d for _label, points in series for d, _v in points})
    span = max((days[-1] - days[0]).days, 1) if days else 1
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = bottom + tick * plot_height
        drawing.add(Line(left, y, left + plot_width, y, strokeColor=LINE, strokeWidth=0.5))
        drawing.add(String(left - 1 * mm, y - 2, f"{int(tick * 100)}%", fontName=font, fontSize=6.5, textAnchor="end"))
    if days:
        drawing.add(String(left, bottom - 4 * mm, days[0].isoformat(), fontName=font, fontSize=6.5))
        drawing.add(String(left + plot_width, bottom - 4 * mm, days[-1].isoformat(), fontName=font, fontSize=6.5,
                           textAnchor="end"))
    for index, (label, points) in enumerate(series):
        colour = colors.HexColor(style_of(index)[0])
        coords = []
        for day, value in points:
            if value is None:
                continue
            coords += [left + (day - days[0]).days / span * plot_width, bottom + max(0.0, min(1.0, value)) * plot_height]
        if len(coords) >= 4:
            drawing.add(PolyLine(coords, strokeColor=colour, strokeWidth=1.2))
        lx = left + (index % 3) * 55 * mm
        ly = (legend_rows - 1 - index // 3) * 5 * mm + 1 * mm
        drawing.add(Rect(lx, ly, 3 * mm, 3 * mm, fillColor=colour, strokeColor=None))
        drawing.add(String(lx + 4 * mm, ly + 0.5, label[:24], fontName=font, fontSize=7))
    return drawing
