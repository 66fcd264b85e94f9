"""Identifiers from the data or the configuration that end up naming a file, a folder or a key.

A site code becomes ``reports/<week>/<SITE>.pdf``, an outbox file name, a Message-ID part and a
warehouse key, so it must be an identifier, never a path: an upper-case letter or digit, then up
to 31 more of ``A-Z 0-9 _ -``. That excludes separators, ``..``, dot-names, absolute paths,
spaces and control characters by construction. Codes are upper-cased before the check (HR systems
write ``dayton`` and ``DAYTON`` for the same plant, and on a case-insensitive file system the two
would be one file anyway).

Some names are reserved even though they match: the company roll-up's report name (``company``,
which on a case-insensitive file system *is* ``COMPANY.pdf``), and the device names Windows
refuses as file names whatever the extension (``CON``, ``NUL``, ``COM1`` ...), so an output
folder on a Windows share or copied to a laptop stays readable.
"""

from __future__ import annotations

import re

SITE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"
_SITE_CODE = re.compile(SITE_CODE_PATTERN)

# The company roll-up is reported, mailed and ledgered under this name.
ROLLUP_NAME = "company"
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
RESERVED_SITE_CODES = frozenset({ROLLUP_NAME.upper()}) | WINDOWS_RESERVED

SITE_CODE_EXPECTED = (
    f"a site code matching {SITE_CODE_PATTERN} (A-Z, 0-9, '_' or '-', at most 32 characters, "
    f"starting with a letter or digit) and not a reserved name "
    f"({ROLLUP_NAME.upper()}, CON, PRN, AUX, NUL, COM1-9, LPT1-9)"
)


def normalize_site_code(value: str) -> str:
    """The site code as stored: surrounding spaces removed, upper case."""
    return value.strip().upper()


def is_site_code(value: object) -> bool:
    """True when ``value`` is already a valid, normalized, unreserved site code."""
    return (
        isinstance(value, str)
        and _SITE_CODE.fullmatch(value) is not None
        and value not in RESERVED_SITE_CODES
    )


def site_code_problem(value: object) -> str | None:
    """Why ``value`` is not a site code (one line naming the value and what was expected), or
    None when it is one."""
    if is_site_code(value):
        return None
    if isinstance(value, str) and value.upper() in RESERVED_SITE_CODES:
        return f"{value!r} is a reserved name; expected {SITE_CODE_EXPECTED}"
    if isinstance(value, str) and is_site_code(normalize_site_code(value)):
        return f"{value!r}: site codes are upper case, write {normalize_site_code(value)!r}"
    return f"{value!r} is not a site code; expected {SITE_CODE_EXPECTED}"
