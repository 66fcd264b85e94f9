"""HTML template -> archival PDF: Jinja2 with autoescape, WeasyPrint, PDF/A-3b, CSV attachments.

Determinism: every date in the file comes from the issue date, the run date (document and
attachment dates; the as-of date when none is given),
the document id is a hash of the content, and charts are deterministic SVG; the same inputs give
the same bytes. Archival: PDF/A-3b with the metadata stream left uncompressed (PDF/A validators
expect to read it) and structure tags on (WeasyPrint allows tags alongside PDF/A-3b).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pydyf
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import CSS, Attachment
from weasyprint.text.fonts import FontConfiguration

from assets.print_text import clip
from assets.reporting.fetcher import ReportResourceFetcher
from assets.reporting.figures import format_days, format_rate, points, wrappable
from assets.reporting.labels import counted, label, standard
from assets.reporting.rate_change import rate_change_text
from assets.reporting.user_agent import ReportHTML

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "report_templates"

LONGEST_UNBROKEN_RUN = 64  # a SHA-256 digest stays whole; anything longer may wrap
_LONG_RUN = re.compile(rf"\S{{{LONGEST_UNBROKEN_RUN + 1},}}")


def breakable(value: Any) -> Any:
    """Let over-long unbroken text wrap: a zero-width space every 32 characters of the run.

    WeasyPrint's ``overflow-wrap: anywhere`` is quadratic in the word length (a 5,000-character
    name took about 50 s), and a long word without a break point would push a table past the
    page edge. Applied to every ``{{ }}`` output by the environment's ``finalize`` hook.
    """
    # Markup is template output (a macro call) whose values were finalized already.
    if (
        not isinstance(value, str)
        or isinstance(value, Markup)
        or len(value) <= LONGEST_UNBROKEN_RUN
    ):
        return value
    return _LONG_RUN.sub(
        lambda m: "\u200b".join(m[0][i : i + 32] for i in range(0, len(m[0]), 32)), value
    )


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every value from the data prints as text, never as markup
    undefined=StrictUndefined,
    # every value: cut to PRINT_MAX characters (the backstop; fields are clipped shorter in the
    # templates), then long unbroken runs made breakable
    finalize=lambda value: breakable(clip(value)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def short_list(value: object, keep: int = 5) -> object:
    """A ``;``-joined list (candidate person ids) cut to its first few, with the count left."""
    if not isinstance(value, str) or value.count(";") < keep:
        return value
    items = value.split(";")
    return ";".join(items[:keep]) + f" and {len(items) - keep} more"


_ENVIRONMENT.filters["short_list"] = short_list
_ENVIRONMENT.filters["clip"] = clip
# The reader's words and one format per kind of figure, shared with the e-mail bodies.
_ENVIRONMENT.filters.update(
    label=label,
    standard=standard,
    rate=format_rate,
    days=format_days,
    points=points,
    wrappable=wrappable,
    counted=counted,
    rate_change=rate_change_text,
)


@dataclass(frozen=True)
class CsvAttachment:
    name: str
    data: bytes
    description: str


@dataclass(frozen=True)
class Chart:
    name: str
    svg: bytes
    alt: str


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    subject: str
    keywords: list[str]
    author: str
    as_of: date
    # the issue (run) date: the PDF's creation date; without one, the as-of date
    issued_on: date | None = None


# PDF/UA-1 identification (ISO 14289-1, 5) in the XMP packet. PDF/A admits a schema it does
# not predefine only when the packet declares it (ISO 19005-1 6.7.8), hence the extension schema.
_PDFUA_ID = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""


class _SerialisedOnce:
    """A stream (any pydyf.Stream class) whose bytes are computed once.

    With a document id, pydyf reads every object's data twice (once to hash the file for the id,
    once to write it), and each read of a stream compresses it again at zlib level 9 -- fonts
    included. Nothing changes a stream after the finisher.
    """

    @property
    def data(self) -> bytes:
        cached = self.__dict__.get("_serialized")
        if cached is None:
            cached = self.__dict__["_serialized"] = super().data  # type: ignore[misc]
        return cached


@cache
def _serialised_once(cls: type) -> type:
    """``cls`` computing its bytes once (WeasyPrint subclasses pydyf.Stream)."""
    return type(f"Once{cls.__name__}", (_SerialisedOnce, cls), {})


# pydyf writes every stream as ``data LF endstream``: data ending in CR gives this tail
_AMBIGUOUS_END = b"\r\nendstream\nendobj"
_UNAMBIGUOUS_END = b"\r\r\nendstream\nendobj"


class _EolSafePdf:
    """A pydyf.PDF writing no stream whose end an archival validator can misread.

    When a stream's (compressed) data happens to end in byte 0x0D, pydyf writes ``CR LF
    endstream``, which a validator reads as a CR-LF end-of-line marker, counting one byte less
    than /Length ("stream /Length does not match its raw content"; about one PDF in ten, and
    which one depends on the run id and code version printed in it). ISO 32000-1 7.3.8.1 lets
    the marker before ``endstream`` be CR, LF or CR LF: writing CR LF after such data makes the
    reading unambiguous (strip the marker and exactly /Length bytes remain).

    This is done where each object is written, not on the objects: the object stream and the
    cross-reference stream are built by pydyf inside ``write``, after every finisher has run.
    """

    def write_line(self, content: bytes, output: Any) -> None:
        if content.endswith(_AMBIGUOUS_END):
            content = content[: -len(_AMBIGUOUS_END)] + _UNAMBIGUOUS_END
        # the object offsets (and so the xref) follow current_position, which counts these bytes
        super().write_line(content, output)  # type: ignore[misc]


@cache
def _eol_safe_pdf(cls: type) -> type:
    return type(f"EolSafe{cls.__name__}", (_EolSafePdf, cls), {})


def _archival_finisher(_document: Any, pdf: pydyf.PDF) -> None:
    """Finisher: the last touches that PDF/A and PDF/UA validators look for.

    - the XMP metadata stream in the clear (PDF/A readers expect to read it), carrying the
      PDF/UA-1 identification next to WeasyPrint's PDF/A-3b one;
    - no stream whose data ends in CR is written ambiguously (see ``_EolSafePdf``);
    - each stream compressed once (see ``_SerialisedOnce``).
    """
    if not isinstance(pdf, _EolSafePdf):
        pdf.__class__ = _eol_safe_pdf(type(pdf))
    for obj in pdf.objects:
        # WeasyPrint's page content streams are a subclass of pydyf.Stream: they too
        if isinstance(obj, pydyf.Stream) and not isinstance(obj, _SerialisedOnce):
            obj.__class__ = _serialised_once(type(obj))
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return
    metadata = pdf.objects[int(bytes(reference).split()[0])]
    metadata.compress = False
    metadata.stream = [
        part.replace(b"</rdf:RDF>", _PDFUA_ID + b"</rdf:RDF>", 1)
        if isinstance(part, bytes)
        else part
        for part in metadata.stream
    ]


class _SharedFonts(FontConfiguration):
    """A font configuration that processes forked from its owner may use but never delete.

    WeasyPrint copies @font-face fonts into a temporary folder and removes it when the
    configuration is garbage-collected. The render pool's workers are forked from a process
    that loaded the fonts already (``warm_renderer``); a worker tearing down its inherited copy
    would delete the files its siblings and the next week's workers still read.
    """

    def __init__(self) -> None:
        super().__init__()
        self._owner = os.getpid()

    def __del__(self) -> None:
        if os.getpid() == getattr(self, "_owner", None):
            super().__del__()


@cache
def _print_stylesheet() -> tuple[CSS, FontConfiguration]:
    """The print CSS and its bundled fonts, parsed and registered once per process.

    Parsing the stylesheet and loading its @font-face fonts took about 0.3 s of each render.
    The fonts come through a fetcher of their own that serves only report_templates/.
    """
    fonts = _SharedFonts()
    css = CSS(
        filename=TEMPLATES_DIR / "report.css",
        font_config=fonts,
        url_fetcher=ReportResourceFetcher(TEMPLATES_DIR),
    )
    return css, fonts


# Regular, bold and italic text and a symbol from the fallback font: each face is loaded once.
_WARM_UP_HTML = "<p>Warm <b>up</b> <i>fonts</i> \u2713 \u26a0</p>"
REPORT_TEMPLATES = ("site_report.html.j2", "company_report.html.j2")


def warm_up() -> None:
    """Pay once per process what every render needs: the stylesheet, the fonts, the templates.

    Measured on a 200-person site: the first render in a fresh process took about 0.5 s longer
    than the next ones (stylesheet and @font-face parsing, template compilation, Pango loading
    each font face). The render pool's forkserver calls this, so its workers start warm.
    """
    stylesheet, fonts = _print_stylesheet()
    for template in REPORT_TEMPLATES:
        _ENVIRONMENT.get_template(template)
    ReportHTML(string=_WARM_UP_HTML, url_fetcher=ReportResourceFetcher(TEMPLATES_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=fonts
    )


def render_html(template: str, context: dict[str, Any]) -> str:
    return _ENVIRONMENT.get_template(template).render(**context)


def write_pdf(
    template: str,
    context: dict[str, Any],
    metadata: PdfMetadata,
    charts: list[Chart],
    attachments: list[CsvAttachment],
    fetcher: ReportResourceFetcher | None = None,
) -> bytes:
    """Render ``template`` with ``context`` to PDF/A-3b bytes with the CSV attachments."""
    fetcher = fetcher or ReportResourceFetcher(TEMPLATES_DIR)
    chart_urls = {
        c.name: {"src": fetcher.memory_url(f"{c.name}.svg", c.svg, "image/svg+xml"), "alt": c.alt}
        for c in charts
    }
    day = metadata.issued_on or metadata.as_of
    stamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
    html = render_html(
        template,
        {**context, "charts": chart_urls, "meta": metadata, "stamp": stamp.strftime("%Y-%m-%d")},
    )
    digest = hashlib.sha256(html.encode("utf-8"))
    for item in attachments:
        digest.update(item.name.encode() + b"\0" + item.data)
    pdf_attachments = [
        Attachment(
            string=item.data,
            name=item.name,
            description=item.description,
            relationship="Data",
            created=stamp,
            modified=stamp,
            url_fetcher=fetcher,
        )
        for item in attachments
    ]
    stylesheet, fonts = _print_stylesheet()
    document = ReportHTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(
        stylesheets=[stylesheet],
        font_config=fonts,
        pdf_variant="pdf/a-3b",
        pdf_identifier=digest.hexdigest()[:32].encode(),
        pdf_tags=True,
        attachments=pdf_attachments,
        finisher=_archival_finisher,
    )
    return pdf
