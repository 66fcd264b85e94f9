"""The report charts: small SVG documents whose shapes and labels say the numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from assets.reporting.charts import bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bar_chart_draws_one_bar_per_label_as_long_as_its_value():
    svg = bar_chart(["certified", "expired", "<b>&"], [120, 30, 0], ["#0", "#1", "#2"], "Status")
    root = parsed(svg)  # hostile-looking labels are escaped: the document still parses
    bars = root.findall(f"{SVG}rect")
    widths = [float(b.get("width")) for b in bars]
    assert len(bars) == 3
    assert widths[0] == pytest.approx(4 * widths[1], rel=1e-3) and widths[2] == 0
    assert [b.get("fill") for b in bars] == ["#0", "#1", "#2"]
    assert texts(root) == ["Status", "certified", "120", "expired", "30", "<b>&", "0"]
    # first label on top
    tops = [float(b.get("y")) for b in bars]
    assert tops == sorted(tops)


def test_charts_are_the_same_bytes_for_the_same_data():
    weeks = [date(2026, 9, 7) + timedelta(weeks=k) for k in range(12)]
    rates = [0.7 + k / 100 for k in range(12)]
    assert trend_chart(weeks, rates, "T") == trend_chart(weeks, rates, "T")
    assert bar_chart(["a"], [1], ["#000"], "B") == bar_chart(["a"], [1], ["#000"], "B")


def test_trend_breaks_the_line_where_a_week_has_no_rate_and_labels_this_week():
    weeks = [date(2026, 9, 7) + timedelta(weeks=k) for k in range(12)]
    rates = [0.5, 0.6, None, 0.7, 0.72, 0.74, 0.75, 0.76, 0.78, 0.79, 0.8, 0.81]
    root = parsed(trend_chart(weeks, rates, "Compliance rate"))
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 9]
    assert len(root.findall(f"{SVG}circle")) == 11  # a marker per known week
    labels = texts(root)
    assert "81 %" in labels and "80 %" not in labels  # only this week's point is labelled
    # every other week's date once the axis is crowded, always this week's
    assert [t for t in labels if t[-3:] in ("Sep", "Oct", "Nov")] == [
        "14 Sep",
        "28 Sep",
        "12 Oct",
        "26 Oct",
        "09 Nov",
        "23 Nov",
    ]
    assert "% compliant" in labels and labels[0] == "Compliance rate"


def test_trend_without_this_weeks_rate_labels_no_point():
    weeks = [date(2026, 11, 9), date(2026, 11, 16)]
    root = parsed(trend_chart(weeks, [0.9, None], "T"))
    assert root.findall(f"{SVG}polyline") == []  # a single known week is a marker, not a line
    assert len(root.findall(f"{SVG}circle")) == 1
    assert not [t for t in texts(root) if t.endswith(" %")]
