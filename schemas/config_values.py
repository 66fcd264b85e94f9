"""Checked value types of the configuration models: what ``competence run`` would trip on later.

Each type is a ``str`` with a validator that tries the value the way the run will use it (the
codec is looked up, the date format round-trips a known date, the timezone loads), so
``competence check-config`` finds the problem first. A failing validator raises ``ValueError``
with one line saying what was expected; the loader adds the file, the key and the value.
"""

from __future__ import annotations

import codecs
import re
from datetime import date, datetime
from email.utils import getaddresses, parseaddr
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

import pandas as pd
from pydantic import AfterValidator

from schemas.identifiers import site_code_problem

# --- text encodings ---------------------------------------------------------------------------


def _encoding(value: str) -> str:
    try:
        info = codecs.lookup(value)
    except LookupError:
        raise ValueError(
            f"unknown encoding {value!r}; expected a Python codec name such as utf-8, cp1252 "
            "or latin-1"
        ) from None
    # base64, hex, rot13 and zlib are codecs too, but they do not turn bytes into text.
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{value!r} is not a text encoding; expected e.g. utf-8 or cp1252")
    return value


# --- CSV delimiters ---------------------------------------------------------------------------


def _delimiter(value: str) -> str:
    if len(value) != 1:
        raise ValueError(
            f"expected exactly one character (e.g. ',' or ';' or a tab), got {len(value)}"
        )
    if value in '"\r\n' or (not value.isprintable() and value != "\t"):
        raise ValueError(
            "expected a printable character other than the quote '\"' (or a tab), not a quote, "
            "line break or control character"
        )
    return value


# --- date formats -----------------------------------------------------------------------------

# Day 28 and month 12 cannot be confused, and a two-digit year still round-trips.
KNOWN_DATE = date(2031, 12, 28)


def _date_format(value: str) -> str:
    expected = "expected a strftime format naming day, month and year, e.g. %d.%m.%Y or %m/%d/%Y"
    try:
        text = KNOWN_DATE.strftime(value)
        back = datetime.strptime(text, value).date()
        # the run parses with pandas: it must read the same date back
        parsed = pd.to_datetime(pd.Series([text]), format=value).iloc[0].date()
    except (ValueError, TypeError):
        raise ValueError(f"{expected}; it cannot read back a date it wrote") from None
    wrong = back if back != KNOWN_DATE else parsed
    if wrong != KNOWN_DATE:
        raise ValueError(
            f"{expected}; {KNOWN_DATE.isoformat()} written as {text!r} reads back as "
            f"{wrong.isoformat()}"
        )
    return value


# --- time zones -------------------------------------------------------------------------------


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(value: str) -> str:
    # Only real IANA keys: ZoneInfo also opens folders ('Europe': IsADirectoryError) and
    # host-specific files ('localtime'), which fail later, elsewhere, or differ per machine.
    if value not in _timezones():
        raise ValueError(
            f"unknown IANA timezone {value!r}; expected a name like America/Chicago or UTC"
        )
    ZoneInfo(value)
    return value


# --- e-mail addresses -------------------------------------------------------------------------

# One plain address: a dot-atom local part, '@', a domain of at least two DNS labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*"
    rf"@{_LABEL}(?:\.{_LABEL})+"
)
EXPECTED_ADDRESS = "one e-mail address per entry, like qm.dayton@example.com"


def _email_address(value: str) -> str:
    if "," in value or ";" in value or len(getaddresses([value])) != 1:
        raise ValueError(f"expected {EXPECTED_ADDRESS}: put each address in its own list entry")
    if any(c.isspace() for c in value):
        raise ValueError(f"expected {EXPECTED_ADDRESS}, without spaces or a display name")
    name, address = parseaddr(value)
    if name or address != value or not _ADDRESS.fullmatch(value):
        raise ValueError(f"expected {EXPECTED_ADDRESS} (a name, '@' and a domain with a dot)")
    return value


# --- site codes -------------------------------------------------------------------------------


def _site_code(value: str) -> str:
    problem = site_code_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _site_or_any(value: str) -> str:
    return value if value == "*" else _site_code(value)


Encoding = Annotated[str, AfterValidator(_encoding)]
Delimiter = Annotated[str, AfterValidator(_delimiter)]
DateFormat = Annotated[str, AfterValidator(_date_format)]
TimezoneName = Annotated[str, AfterValidator(_timezone)]
EmailAddress = Annotated[str, AfterValidator(_email_address)]
SiteCode = Annotated[str, AfterValidator(_site_code)]
SiteCodeOrAny = Annotated[str, AfterValidator(_site_or_any)]
