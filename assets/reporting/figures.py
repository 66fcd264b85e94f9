"""One formatter per kind of figure: every number a reader sees prints through these functions.

The PDF cover, its tables and charts, the e-mail subject and both mail bodies show the same
compliance rate, so they must print it the same way. Rates are rounded half-up to one decimal
("86.8 %"), never truncated; a rate that is not exactly 0 or 1 never prints as "0.0 %" or
"100.0 %" (it prints "0.1 %" or "99.9 %"), so "100.0 %" always means everyone is compliant.
Day counts spell their unit ("905 days"), names read "First Last", and e-mail addresses and ids
wrap only at their own punctuation, never with a hyphen inside.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

RATE_DECIMALS = 1
_STEP = Decimal(1).scaleb(-RATE_DECIMALS)  # 0.1
ZERO_WIDTH_SPACE = "\u200b"
WHOLE_PART = 30  # an address part up to this long never breaks inside


def rate_percent(rate: float | None) -> Decimal | None:
    """The rate in percent as printed: half-up to one decimal, kept off 0 and 100 unless exact."""
    if rate is None or rate != rate:  # None or NaN: nobody in scope
        return None
    # repr() is the shortest decimal that round-trips: 0.8675 stays 0.8675, not 0.86749999...
    percent = (Decimal(repr(float(rate))) * 100).quantize(_STEP, rounding=ROUND_HALF_UP)
    if percent >= 100 and rate < 1:
        return Decimal(100) - _STEP
    if percent <= 0 and rate > 0:
        return _STEP
    return percent


def format_rate(rate: float | None) -> str:
    """``0.8684`` -> ``86.8 %``; ``None`` (nobody needs a credential) -> ``n/a``."""
    percent = rate_percent(rate)
    return "n/a" if percent is None else f"{percent} %"


def rate_phrase(rate: float | None) -> str:
    """``86.8 % compliant``, or ``nobody in scope`` (never "n/a compliant": nobody to comply)."""
    return "nobody in scope" if rate_percent(rate) is None else f"{format_rate(rate)} compliant"


def signed_points(value: float | None) -> str:
    """Percentage points of a rate change: ``+1.5``, ``−7.0`` (a true minus sign), ``0.0``;
    ``n/a`` when there is nothing to split."""
    if value is None:
        return "n/a"
    if value > 0:
        return f"+{value:.1f}"
    return f"−{-value:.1f}" if value < 0 else "0.0"


def format_days(days: int) -> str:
    """``1 day``, ``905 days``."""
    return f"{days} day" if abs(days) == 1 else f"{days} days"


def overdue_text(days: int) -> str:
    """``overdue 905 days``."""
    return f"overdue {format_days(days)}"


def format_date(value: date | None) -> str:
    """ISO dates everywhere (``2026-11-22``); a missing date is ``no date``."""
    return "no date" if value is None else f"{value:%Y-%m-%d}"


def week_label(monday: date) -> str:
    """A week on a chart axis, named by its as-of Sunday: the trend's last point reads as D."""
    return f"{monday + timedelta(days=6):%d %b}"


def person_name(first: object, last: object) -> str:
    """One name order everywhere: ``First Last`` (a missing part is left out)."""
    parts = [str(p).strip() for p in (first, last) if p is not None and str(p).strip()]
    return " ".join(p for p in parts if p.lower() != "nan")


def points(value: float | None) -> str:
    """Renewal points as the CSVs hold them: one decimal at most (``12.5``, ``40``, ``158.4``)."""
    rounded = round_points(value)
    return "–" if rounded is None else f"{rounded:g}"


def round_points(value: float | None) -> float | None:
    """Points as a CSV stores them: half-up to one decimal (158.4158853 -> 158.4)."""
    if value is None or value != value:
        return None
    return float(Decimal(repr(float(value))).quantize(_STEP, rounding=ROUND_HALF_UP))


def wrappable(value: object) -> object:
    """An e-mail address or id that wraps only after its own ``@`` or ``.``, never inside a part.

    A zero-width space after each ``@`` and ``.`` gives the line breaker a place to break, and
    each short part between them is kept whole (``nobr``), so ``qm@acme-precision.example`` never
    splits at the hyphen of ``acme-precision`` and reads as if hyphenated. A part longer than
    ``WHOLE_PART`` characters may still wrap anywhere: a hostile 80-character part must not push
    the table past the page edge. Returns markup: every part is escaped.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    parts = re.split(r"(?<=[@.])", str(value))
    return Markup(ZERO_WIDTH_SPACE).join(
        Markup('<span class="nobr">{}</span>').format(part)
        if len(part) <= WHOLE_PART and "-" in part
        else escape(part)
        for part in parts
        if part
    )
