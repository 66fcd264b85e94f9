"""The report charts, drawn with matplotlib as deterministic SVG bytes.

Uses the object-oriented ``Figure`` API (no pyplot global state, safe in worker processes) and
fixes ``svg.hashsalt`` and the SVG ``Date`` metadata so the same data gives the same bytes.
Text is written as SVG text in the report's own bundled font ("Report Sans", the DejaVu Sans
files under report_templates/fonts), not as one path per glyph: the glyph paths were most of
what WeasyPrint spent painting a chart (issue #14's profile), and text stays selectable. The
layout is measured with matplotlib's own DejaVu Sans, the same font, so the text fits as
drawn. Every chart also gets alt text from the caller.
"""

from __future__ import annotations

import io
from datetime import date

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from assets.reporting.figures import format_rate, week_label
from schemas.vocabulary import Compliance, Status

STATUS_COLOURS = {
    Status.CERTIFIED: "#2e7d32",
    Status.EXPIRING: "#f9a825",
    Status.IN_PROGRESS: "#64b5f6",
    Status.NOT_STARTED: "#9e9e9e",
    Status.EXPIRED: "#c62828",
}
COMPLIANCE_COLOURS = {
    Compliance.COMPLIANT: "#2e7d32",
    Compliance.GRACE: "#f9a825",
    Compliance.NON_COMPLIANT: "#c62828",
    Compliance.NOT_REQUIRED: "#9e9e9e",
}
_RC = {
    "svg.hashsalt": "competence-report",
    "svg.fonttype": "none",  # text as text, in the font named below
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titley": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


# matplotlib names the font it measured with; the report embeds the same font under its own
# family name, so the renderer finds it among the report's fonts (and embeds it, for PDF/A).
_MEASURED_FONT = b"font-family: 'DejaVu Sans'"
_REPORT_FONT = b"font-family: 'Report Sans'"


def _svg(figure: Figure) -> bytes:
    FigureCanvasSVG(figure)
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return out.getvalue().replace(_MEASURED_FONT, _REPORT_FONT)


def bar_chart(labels: list[str], values: list[int], colours: list[str], title: str) -> bytes:
    """Horizontal bars with the count printed at each bar's end."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(3.4, 0.35 * len(labels) + 0.7))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, values, color=colours, height=0.6)
        axes.set_yticks(positions, labels)
        axes.set_title(title, loc="left", fontsize=9, fontweight="bold")
        top = max(values, default=0)
        axes.set_xlim(0, max(top * 1.18, 1))
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        for y, value in zip(positions, values, strict=True):
            axes.text(value + top * 0.02, y, str(value), va="center", fontsize=8)
        return _svg(figure)


def trend_chart(weeks: list[date], rates: list[float | None], title: str) -> bytes:
    """Compliance rate per week as a line on a fixed 0-100 % axis (gaps where unknown).

    Each week is labelled with its as-of Sunday (the date its figures answer for), so the last
    point reads as the report's as-of date; the last point's label is the report's own rate
    string (:func:`format_rate`), the same as on the cover and in the e-mail.
    """
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.0, 2.1))
        axes = figure.add_subplot()
        xs = list(range(len(weeks)))
        ys = [float("nan") if r is None else r * 100 for r in rates]
        axes.plot(xs, ys, marker="o", color="#1f4e79", linewidth=1.6, markersize=3.5)
        axes.set_ylim(0, 105)
        axes.set_ylabel("% compliant")
        # Every other week's date once the axis is crowded: fewer glyphs to draw, easier to read.
        step = 2 if len(weeks) > 8 else 1
        axes.set_xticks(
            xs[::-1][::step][::-1], [week_label(w) for w in weeks][::-1][::step][::-1], fontsize=7
        )
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.set_title(title, loc="left", fontsize=9, fontweight="bold")
        # Label only this week's point: twelve labels cost layout time and add clutter; the
        # alt text carries every week's figure.
        if ys and ys[-1] == ys[-1]:
            axes.annotate(
                format_rate(rates[-1]),
                (xs[-1], ys[-1]),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
                fontweight="bold",
            )
        return _svg(figure)
