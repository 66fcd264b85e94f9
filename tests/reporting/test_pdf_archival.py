"""Archival details of the PDF writer, checked with an independent validator (page-validation)."""

from __future__ import annotations

import io

import pikepdf
import pydyf

from assets.reporting.pdf_writer import _archival_finisher
from tests.reporting.pdf_reading import conformance_failures


def _pdf_with_content_ending_in_cr(finish: bool) -> bytes:
    """A one-page PDF whose content stream's data ends in byte 0x0D, as compressed data can."""
    pdf = pydyf.PDF()
    content = pydyf.Stream([b"BT ET\r"])
    pdf.add_object(content)
    pdf.add_page(
        pydyf.Dictionary(
            {
                "Type": "/Page",
                "Parent": pdf.pages.reference,
                "MediaBox": pydyf.Array([0, 0, 200, 200]),
                "Contents": content.reference,
            }
        )
    )
    if finish:
        _archival_finisher(None, pdf)
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def test_stream_data_ending_in_cr_matches_its_length():
    # without the finisher the validator counts one byte less than /Length (the demo's 7 of 60)
    assert "PDFA3B-STREAM-LENGTH-001" in conformance_failures(_pdf_with_content_ending_in_cr(False))
    fixed = _pdf_with_content_ending_in_cr(True)
    assert "PDFA3B-STREAM-LENGTH-001" not in conformance_failures(fixed)
    assert b"BT ET\r\r\nendstream" in fixed
    # and a conforming reader still gets exactly the data back, CR included
    with pikepdf.open(io.BytesIO(fixed)) as document:
        assert document.pages[0].Contents.read_bytes() == b"BT ET\r"


def test_an_xref_stream_ending_in_cr_gets_an_unambiguous_end_of_line():
    from assets.reporting.pdf_writer import unambiguous_xref_stream

    head = b"%PDF-1.7\n5 0 obj\n<</Type /XRef/Length 3>>\nstream\n"
    tail = b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
    ends_in_cr = head + b"ab\r" + tail
    fixed = unambiguous_xref_stream(ends_in_cr)
    # CR CR LF: the CR LF is the end-of-line marker, exactly /Length (3) bytes remain
    assert fixed == head + b"ab\r\r" + tail
    assert fixed.index(b"5 0 obj") == ends_in_cr.index(b"5 0 obj")  # startxref still right
    assert unambiguous_xref_stream(head + b"abc" + tail) == head + b"abc" + tail
    other = ends_in_cr.replace(b"/Type /XRef", b"/Type /XObject")
    assert unambiguous_xref_stream(other) == other  # only the last object, the XRef stream
