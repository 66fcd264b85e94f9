"""The report charts, written directly as small, deterministic SVG documents.

Why not matplotlib: a profile of a 200-person site PDF put its three matplotlib charts at about a
quarter of the render - 0.37 s to draw them, and 0.76 s more for WeasyPrint to paint the ~860
SVG nodes matplotlib writes (every glyph a path). These charts are a few bars, a polyline and a
dozen labels: written by hand they are ~40 nodes, cost about a millisecond to build and a few
to paint. Text is real SVG text in the report's bundled font ("Report Sans", embedded in the
PDF like every other text), so the charts need no font of their own. The same data gives the
same bytes (no dates, no ids, fixed number formatting); every chart gets alt text from the caller.

Sizes are in points (1/72 in) in the viewBox; the stylesheet fixes each chart image's width, so
the viewBox's aspect ratio sets its height.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

STATUS_COLOURS = {
    "CERTIFIED": "#2e7d32",
    "EXPIRING": "#f9a825",
    "IN_PROGRESS": "#64b5f6",
    "NOT_STARTED": "#9e9e9e",
    "EXPIRED": "#c62828",
}
COMPLIANCE_COLOURS = {
    "COMPLIANT": "#2e7d32",
    "GRACE": "#f9a825",
    "NON_COMPLIANT": "#c62828",
    "NOT_REQUIRED": "#9e9e9e",
}
FONT = '"Report Sans", "DejaVu Sans", sans-serif'
INK = "#1b1b1b"
AXIS = "#333333"
# DejaVu Sans' mean advance is about 0.6 em for lower-case text: enough to place a label column
# (labels are right-aligned against the axis, so an overestimate only widens the margin).
CHAR_EM = 0.62


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (stable bytes)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: str, size: float, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{extra}>'
        f"{escape(content)}</text>"
    )


def _svg(width: float, height: float, body: list[str]) -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}pt" '
        f'height="{_num(height)}pt" viewBox="0 0 {_num(width)} {_num(height)}" '
        f"font-family='{FONT}' fill=\"{INK}\">" + "".join(body) + "</svg>"
    ).encode()


def _text_width(content: str, size: float) -> float:
    return len(content) * size * CHAR_EM


def bar_chart(labels: list[str], values: list[int], colours: list[str], title: str) -> bytes:
    """Horizontal bars, first label on top, with the count printed at each bar's end."""
    slot, bar, size = 25.2, 15.1, 8.0  # 0.35 in per bar, bars 60 % of their slot
    left = max((_text_width(label, size) for label in labels), default=0) + 10
    width, top_margin = 245.0, 22.0
    plot_width = width - left - 4
    height = top_margin + slot * len(labels) + 6
    top = max(values, default=0)
    scale = plot_width / max(top * 1.18, 1)  # room for the count after the longest bar
    body = [_text(0, 11, title, 9, font_weight="bold")]
    for row, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
        middle = top_margin + slot * row + slot / 2
        body.append(
            f'<rect x="{_num(left)}" y="{_num(middle - bar / 2)}" width="{_num(value * scale)}" '
            f'height="{_num(bar)}" fill="{colour}"/>'
        )
        body.append(_text(left - 6, middle + size * 0.36, label, size, text_anchor="end"))
        body.append(_text(left + value * scale + 3, middle + 7 * 0.36, str(value), 7))
        body.append(
            f'<line x1="{_num(left - 3)}" y1="{_num(middle)}" x2="{_num(left)}" '
            f'y2="{_num(middle)}" stroke="{AXIS}" stroke-width="0.6"/>'
        )
    bottom = top_margin + slot * len(labels)
    body.append(
        f'<line x1="{_num(left)}" y1="{_num(top_margin)}" x2="{_num(left)}" y2="{_num(bottom)}" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )
    return _svg(width, height, body)


def _week_ticks(weeks: list[date]) -> list[int]:
    """Every week's position, or every other one counted back from this week once the axis is
    crowded: fewer labels, easier to read, and this week is always labelled."""
    step = 2 if len(weeks) > 8 else 1
    return list(range(len(weeks) - 1, -1, -step))[::-1]


def trend_chart(weeks: list[date], rates: list[float | None], title: str) -> bytes:
    """Compliance rate per week as a line on a fixed 0-100 % axis (gaps where unknown); only
    this week's point is labelled - the alt text carries every week's figure."""
    width, height = 504.0, 151.0  # 7 x 2.1 in
    left, right, top, bottom = 44.0, width - 8, 20.0, height - 18
    n = len(weeks)
    pad = 0.05 * max(n - 1, 1)  # a margin either side of the first and last week

    def x_of(i: float) -> float:
        return left + (i + pad) / (max(n - 1, 0) + 2 * pad) * (right - left)

    def y_of(percent: float) -> float:
        return bottom - percent / 105 * (bottom - top)

    body = [_text(left, 11, title, 9, font_weight="bold")]
    for percent in range(0, 101, 20):
        y = y_of(percent)
        body.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
            f'stroke="#dddddd" stroke-width="0.6"/>'
        )
        body.append(_text(left - 4, y + 7 * 0.36, str(percent), 7, text_anchor="end"))
    body.append(
        _text(9, (top + bottom) / 2, "% compliant", 8, text_anchor="middle",
              transform=f"rotate(-90 9 {_num((top + bottom) / 2)})")
    )  # fmt: skip
    for i in _week_ticks(weeks):
        x = x_of(i)
        body.append(
            f'<line x1="{_num(x)}" y1="{_num(bottom)}" x2="{_num(x)}" y2="{_num(bottom + 3)}" '
            f'stroke="{AXIS}" stroke-width="0.6"/>'
        )
        body.append(_text(x, bottom + 11, f"{weeks[i]:%d %b}", 7, text_anchor="middle"))
    body.append(
        f'<path d="M{_num(left)} {_num(top)}V{_num(bottom)}H{_num(right)}" fill="none" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )
    # The line breaks where a week has no rate; each known week gets a marker.
    points = [(x_of(i), y_of(r * 100)) for i, r in enumerate(rates) if r is not None]
    segments: list[list[str]] = [[]]
    for i, rate in enumerate(rates):
        if rate is None:
            segments.append([])
        else:
            segments[-1].append(f"{_num(x_of(i))},{_num(y_of(rate * 100))}")
    body.extend(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="#1f4e79" stroke-width="1.6"/>'
        for s in segments
        if len(s) > 1
    )
    body.extend(
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.2" fill="#1f4e79"/>' for x, y in points
    )
    if rates and rates[-1] is not None:
        x, y = x_of(n - 1), y_of(rates[-1] * 100)
        body.append(
            _text(x, y - 6, f"{rates[-1] * 100:.0f} %", 8, text_anchor="middle", font_weight="bold")
        )
    return _svg(width, height, body)
