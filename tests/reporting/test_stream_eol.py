"""No stream ends ambiguously in CR, whatever its class (TOLEDO's demo PDF had a page content
stream - WeasyPrint's own Stream subclass - whose compressed data ended in 0x0D)."""

from __future__ import annotations

import io

import pydyf
from weasyprint.pdf.stream import Stream as WeasyStream

from assets.reporting.pdf_writer import _archival_finisher


def test_every_stream_class_ending_in_cr_gets_a_crlf_marker():
    pdf = pydyf.PDF()
    plain = pydyf.Stream([b"abc\r"], compress=False)
    page = WeasyStream(fonts={}, page_rectangle=(0, 0, 10, 10), resources={}, images={},
                       tags={}, color_profiles={}, output_intent=None, compress=False)  # fmt: skip
    page.stream = [b"xyz\r"]
    fine = pydyf.Stream([b"ok"], compress=False)
    for stream in (plain, page, fine):
        pdf.add_object(stream)
    _archival_finisher(None, pdf)
    out = io.BytesIO()
    pdf.write(out)
    written = out.getvalue()
    # CR LF is the end-of-line marker; the data before it keeps its own CR
    assert b"abc\r\r\nendstream" in written
    assert b"xyz\r\r\nendstream" in written
    assert b"ok\nendstream" in written and b"ok\r" not in written
    assert isinstance(page, WeasyStream)  # still WeasyPrint's stream, with its methods
