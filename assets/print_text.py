"""Long text values cut for print: the PDF and e-mail templates show at most a few lines of any
value from the data; the full value stays in the warehouse and the CSV attachments.

Three 100,000-character names once made a 168-page PDF and a 929 KB e-mail. Templates cut each
field to a length that suits it with the ``clip`` filter (``{{ a.name | clip(60) }}``), and the
template environments cut any other value longer than ``PRINT_MAX`` as a backstop, so a field
nobody thought of cannot fill pages either. A cut value ends in "…" so the reader sees that it
was cut; the lengths below are the ones the templates use.
"""

from __future__ import annotations

from markupsafe import Markup

ELLIPSIS = "…"
NAME = 60  # a person's name (first and last), a job role, a site name
IDENTIFIER = 40  # employee id, record id, credential id
EMAIL = 80
FILE_NAME = 120  # a landing file's path relative to the landing folder
MESSAGE = 300  # a reject or file problem message, a finding's evidence line
PRINT_MAX = 2_000  # the backstop for every other printed value (an auditor's statement)


def clip(value: object, limit: int = PRINT_MAX) -> object:
    """``value`` cut to at most ``limit`` characters, ending in "…" when it was cut.

    Anything but plain text (numbers, dates, template output that is already markup) passes
    unchanged: cutting markup could break a tag.
    """
    if not isinstance(value, str) or isinstance(value, Markup) or len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + ELLIPSIS
