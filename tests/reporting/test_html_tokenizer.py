"""The HTML parser's pattern cache is filled under the key it looks up, and parses the same."""

from __future__ import annotations

import string

import tinyhtml5
from tinyhtml5 import inputstream

import assets.reporting.pdf_writer  # noqa: F401  (installs the cache, as every render does)

PAGE = '<table class="compact fit"><tr data-x="1"><td class="num">42 &amp; 7</td></tr></table>'


def _cells(document) -> list[tuple[str, dict, str]]:
    return [(e.tag.split("}")[-1], dict(e.attrib), "".join(e.itertext())) for e in document.iter()]


def test_patterns_are_found_again_and_the_parse_is_unchanged():
    first = _cells(tinyhtml5.parse(PAGE))
    cache = inputstream.characters_until_regex
    keys = set(cache)
    assert (frozenset(string.ascii_letters), True) in keys  # attribute and tag names
    second = _cells(tinyhtml5.parse(PAGE))
    assert set(cache) == keys  # nothing built twice
    assert first == second
    assert ("td", {"class": "num"}, "42 & 7") in second
    assert ("tr", {"data-x": "1"}, "42 & 7") in second
