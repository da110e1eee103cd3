"""The coverage charts' SVG (issue #20): lines told apart without colour vision, names at their ends that do not
overlap or get cut, the deadline and target drawn and labelled."""
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from portal.domain.coverage import charts

NS = {"s": "http://www.w3.org/2000/svg"}
LONG = "Security staff and micro fire station members"


def _series(n: int, **extra) -> list[charts.Series]:
    start = date(2026, 9, 14)
    names = ["All staff", LONG, "Grid workers", "网格员和村（居）委会工作人员消防安全培训", *[f"Group {i}" for i in range(4, n)]]
    return [charts.Series(names[i], [(start + timedelta(weeks=w), 0.5 + 0.001 * i + 0.01 * w) for w in range(12)],
                          **extra) for i in range(n)]


def test_every_line_has_its_own_colour_marker_and_dash_and_colour_blind_safe_colours():
    styles = [charts.style_of(i) for i in range(10)]
    assert len(set(styles)) == 10
    assert {c.upper() for c in charts.PALETTE} <= {"#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
                                                    "#000000"}  # Okabe-Ito, no yellow
    svg = ET.fromstring(str(charts.line_chart("t", "Trend", _series(9))))
    markers = {(m.get("data-series"), m.get("data-marker")) for m in svg.iterfind(".//*[@class='marker']")}
    assert {series: shape for series, shape in markers} == {str(i): charts.MARKERS[i % len(charts.MARKERS)]
                                                           for i in range(9)}
    lines = svg.findall(".//s:polyline[@class='series']", NS)
    assert len({(p.get("stroke"), p.get("stroke-dasharray")) for p in lines}) == 9


def test_names_sit_at_the_lines_ends_apart_and_whole():
    svg = ET.fromstring(str(charts.line_chart("t", "Trend", _series(9))))
    labels = svg.findall(".//s:text[@class='end-label']", NS)
    assert len(labels) == 9  # every line named, though their ends nearly meet
    spans = []
    for label in labels:
        y = float(label.get("y"))
        for n, span in enumerate(label.findall("s:tspan", NS)):
            spans.append((y + n * 13, span.text))
    ys = sorted(y for y, _text in spans)
    assert all(b - a >= 12 for a, b in zip(ys, ys[1:])), ys  # no two lines of text on top of each other
    texts = {label.get("data-series"): " ".join(s.text for s in label.findall("s:tspan", NS)) for label in labels}
    assert texts["1"] == LONG and "…" not in "".join(texts.values())  # wrapped, never cut off
    assert texts["3"].replace(" ", "") == "网格员和村（居）委会工作人员消防安全培训"
    width = float(svg.get("viewBox").split()[2])
    assert all(float(label.get("x")) + 30 * 7 <= width for label in labels)  # room for 30 characters


def test_the_deadline_and_target_are_drawn_and_labelled():
    svg = ET.fromstring(str(charts.line_chart("t", "Trend", _series(2, target=0.9, deadline=date(2026, 12, 31)),
                                              labels={"target": "Target %(rate)s", "deadline": "Deadline %(date)s"})))
    target = svg.find(".//s:line[@class='target']", NS)
    deadline = svg.find(".//s:line[@class='deadline']", NS)
    assert target is not None and target.get("data-rate") == "0.9"
    assert deadline is not None and deadline.get("data-date") == "2026-12-31"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.text]
    assert "Target 90.0%" in texts and "Deadline 2026-12-31" in texts
    # the deadline is the plot's right end: the lines stop before it
    last_x = max(float(p.split(",")[0]) for line in svg.findall(".//s:polyline[@class='series']", NS)
                 for p in line.get("points").split())
    assert float(deadline.get("x1")) > last_x


def test_a_deadline_far_ahead_is_named_at_the_edge():
    svg = ET.fromstring(str(charts.line_chart("t", "Trend", _series(1, deadline=date(2029, 12, 31)))))
    assert svg.find(".//s:line[@class='deadline']", NS) is None
    edge = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.get("data-date") == "2029-12-31"]
    assert edge and edge[0].text.endswith("→")


def test_bars_say_met_or_behind_without_colour_alone_and_keep_long_names():
    svg = ET.fromstring(str(charts.bar_chart("b", "Groups", [charts.Bar(LONG, 1.0, 1.0), charts.Bar("Grid", 0.4, 1.0)])))
    rects = svg.findall(".//s:rect", NS)
    assert [r.get("data-met") for r in rects] == ["yes", "no"]
    assert {r.get("fill") for r in rects} == {charts.MET, charts.BEHIND}
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "100.0% ✓" in texts and "40.0%" in texts
    assert any(t.replace(" ", "") == LONG.replace(" ", "") for t in texts)
