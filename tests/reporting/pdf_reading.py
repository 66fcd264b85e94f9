"""Read rendered PDFs back: text with pypdf, metadata and attachments with pikepdf."""

from __future__ import annotations

import io
import re

import pikepdf
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squashed(text: str) -> str:
    """Text without whitespace (nor the zero-width spaces that let long runs wrap)."""
    return "".join(text.replace("\u200b", "").split())


def attachments(pdf: bytes) -> dict[str, bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {name: spec.get_file().read_bytes() for name, spec in document.attachments.items()}


def pdfa_identification(pdf: bytes) -> tuple[str, str]:
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_metadata() as meta:
        return meta.get("pdfaid:part"), meta.get("pdfaid:conformance")


def docinfo(pdf: bytes) -> dict[str, str]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {str(k): str(v) for k, v in document.docinfo.items()}


def conformance_failures(pdf: bytes, profile: str = "3b") -> dict[str, str]:
    """Rule id -> first message, from the `page-validation` checker (PDF/A-3b by default)."""
    import page

    report = page.validate_pdf_bytes(pdf, profile=profile)
    failures: dict[str, str] = {}
    for failure in report.failures:
        failures.setdefault(failure.rule_id, failure.message)
    return failures


_STREAM = re.compile(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream(?:\r\n|\n)", re.S)


def wrong_stream_lengths(pdf: bytes) -> list[int]:
    """Objects whose direct ``/Length`` does not end the data exactly at an end-of-line followed by
    ``endstream`` (ISO 32000 7.3.8.1); empty when every stream's length is right."""
    wrong = []
    for match in _STREAM.finditer(pdf):
        declared = re.search(rb"/Length (\d+)(?!\s+\d+\s+R)", match.group(2))
        if declared is None:
            continue
        end = match.end() + int(declared.group(1))
        if not re.match(rb"(?:\r\n|\r|\n)?endstream", pdf[end : end + 11]):
            wrong.append(int(match.group(1)))
    return wrong


def assert_every_pdf_is_archival(folder) -> int:
    """Validate every PDF under ``folder`` as PDF/A-3b; returns how many were checked."""
    from pathlib import Path

    pdfs = sorted(Path(folder).rglob("*.pdf"))
    failing = {
        str(path.relative_to(folder)): failures
        for path in pdfs
        if (failures := conformance_failures(path.read_bytes(), "3b"))
    }
    assert failing == {}
    return len(pdfs)


def words_outside_the_page(pdf: bytes, tolerance: float = 0.5) -> list[tuple[int, str, float]]:
    """Words whose box (from the PDF's own text, ``pdftotext -bbox``) leaves the media box.

    Returns (page number, word, how far out in points); empty when every word is on the paper.
    """
    import re
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    outside = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", html, re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page)[1])
        height = float(re.search(r'height="([\d.]+)"', page)[1])
        box = r'xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)"'
        for x0, y0, x1, y1, word in re.findall(rf"<word {box}>(.*?)</word>", page):
            beyond = max(-float(x0), -float(y0), float(x1) - width, float(y1) - height)
            if beyond > tolerance:
                outside.append((number, word, round(beyond, 1)))
    return outside
