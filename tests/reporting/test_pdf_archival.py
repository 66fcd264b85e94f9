"""Archival details of the PDF writer, checked with an independent validator (page-validation)."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pydyf
import pytest

from assets.reporting.pdf_writer import _archival_finisher
from tests.reporting.pdf_reading import conformance_failures, wrong_stream_lengths


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


def _label_text(label: int) -> str:
    # incompressible text of varying length: it moves the object stream's bytes and length, so
    # the cross-reference stream's offsets too
    return hashlib.sha256(str(label).encode()).hexdigest()[: 8 + label % 56]


def _compressed_pdf(label: int, finish: bool) -> bytes:
    """A PDF written as WeasyPrint writes it: objects in a compressed object stream, a
    cross-reference stream, a document id; ``label`` varies the compressed bytes."""
    pdf = pydyf.PDF()
    pdf.add_page(
        pydyf.Dictionary(
            {
                "Type": "/Page",
                "Parent": pdf.pages.reference,
                "MediaBox": pydyf.Array([0, 0, 200, 200]),
                "Label": pydyf.String(_label_text(label)),
            }
        )
    )
    if finish:
        _archival_finisher(None, pdf)
    out = io.BytesIO()
    pdf.write(out, version=b"1.7", identifier=True, compress=True)
    return out.getvalue()


def _first_label_whose(stream_type: bytes) -> int:
    """The first label for which pydyf writes that stream (built inside ``write``, after every
    finisher) with compressed data ending in CR: about one in 256."""
    for label in range(20_000):
        pdf = _compressed_pdf(label, finish=False)
        for start in range(len(pdf)):
            start = pdf.find(stream_type, start)
            if start < 0:
                break
            end = pdf.index(b"endstream", start)
            if pdf[end - 2 : end] == b"\r\n":
                return label
            start = end
    raise AssertionError(f"no label makes the {stream_type!r} stream end in CR")


@pytest.mark.parametrize("stream_type", [b"/Type /ObjStm", b"/Type /XRef"])
def test_streams_pydyf_builds_while_writing_get_an_unambiguous_end(stream_type):
    label = _first_label_whose(stream_type)
    assert "PDFA3B-STREAM-LENGTH-001" in conformance_failures(_compressed_pdf(label, False))
    fixed = _compressed_pdf(label, finish=True)
    assert "PDFA3B-STREAM-LENGTH-001" not in conformance_failures(fixed)
    assert wrong_stream_lengths(fixed) == []
    assert b"\r\r\nendstream" in fixed
    # a conforming reader finds every object where the cross-reference stream says it is
    with pikepdf.open(io.BytesIO(fixed)) as document:
        assert str(document.pages[0].Label) == _label_text(label)
