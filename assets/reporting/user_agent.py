"""WeasyPrint's user-agent stylesheet, cut to the elements the report templates use.

Why: WeasyPrint matches its whole HTML5 user-agent stylesheet (forms, bidi ``[dir]`` rules,
``:link``, ``[hidden]``, footnotes, ...) against every element of every report. For a 200-person
site PDF that was most of the cascade: measured in one process, alternating, the layout of the
benchmark's 200-person site took 1.33 s of CPU with WeasyPrint's sheet and 1.08 s with this one
(medians of four). The PDFs are byte-identical either way.

What: ``USER_AGENT_CSS`` holds WeasyPrint 70's own rules (``weasyprint/css/html5_ua.css``) for
exactly ``ELEMENTS`` — the elements ``report_templates/`` write — with selector lists trimmed to
those elements and the values verbatim. The report's data cannot add an element (Jinja2
autoescapes every value), so the set is fixed by the templates.
``tests/reporting/test_user_agent_stylesheet.py`` renders the reports with both sheets and
asserts identical bytes, and fails when a template uses an element outside ``ELEMENTS``: add the
element's rules from ``html5_ua.css`` here and the element to the set.

How: WeasyPrint asks the document for its user-agent sheets through ``HTML._ua_stylesheets``,
a method without a public alternative; ``ReportHTML`` overrides it. The counter styles (list
markers) stay WeasyPrint's own. Should a WeasyPrint upgrade rename the method, the override is
never called and WeasyPrint's whole sheet applies again (the test above says so).
"""

from __future__ import annotations

from weasyprint import CSS, HTML

# fmt: off
ELEMENTS = frozenset({
    "html", "head", "meta", "title", "style", "body", "section", "div", "h1", "h2", "h3", "p",
    "span", "b", "br", "img", "ul", "li", "table", "colgroup", "col", "thead", "tbody", "tr",
    "th", "td",
})
# fmt: on

USER_AGENT_CSS = r"""
head, meta, style, title { display: none }
body, div, h1, h2, h3, html, p, section, ul { display: block }
li { display: list-item }
table { display: table }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tr { display: table-row }
td, th { display: table-cell }
p, ul { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin-top: .67em; margin-bottom: .67em }
h2 { margin-top: .83em; margin-bottom: .83em }
h3 { margin-top: 1em; margin-bottom: 1em }
ul { padding-left: 40px }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody { vertical-align: middle }
tr, td, th { vertical-align: inherit }
html { color-scheme: light }
b, th { font-weight: bold }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
table, td, th { border-color: gray }
thead, tbody, tr { border-color: inherit }
br::before { content: "\A"; white-space: pre-line }
ul { list-style-type: disc }
::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
table { text-indent: initial }
img { overflow: hidden }
table { box-sizing: border-box }
ul { counter-reset: list-item }
h1 { bookmark-level: 1 }
h2 { bookmark-level: 2 }
h3 { bookmark-level: 3 }
h1, h2, h3 { bookmark-label: content(text) }
h1, h2, h3 { hyphens: manual; break-after: avoid; break-inside: avoid }
ul { break-before: avoid }
@page {
  margin: 75px;
  @footnote            { margin-top: 1em }
  @note-area           { content: element(note, all-once) }
  @top-left-corner     { text-align: right;  vertical-align: middle }
  @top-left            { text-align: left;   vertical-align: middle }
  @top-center          { text-align: center; vertical-align: middle }
  @top-right           { text-align: right;  vertical-align: middle }
  @top-right-corner    { text-align: left;   vertical-align: middle }
  @left-top            { text-align: center; vertical-align: top    }
  @left-middle         { text-align: center; vertical-align: middle }
  @left-bottom         { text-align: center; vertical-align: bottom }
  @right-top           { text-align: center; vertical-align: top    }
  @right-middle        { text-align: center; vertical-align: middle }
  @right-bottom        { text-align: center; vertical-align: bottom }
  @bottom-left-corner  { text-align: right;  vertical-align: middle }
  @bottom-left         { text-align: left;   vertical-align: middle }
  @bottom-center       { text-align: center; vertical-align: middle }
  @bottom-right        { text-align: right;  vertical-align: middle }
  @bottom-right-corner { text-align: left;   vertical-align: middle }
}
"""

_USER_AGENT = CSS(string=USER_AGENT_CSS)


class ReportHTML(HTML):
    """A report's HTML, cascaded with ``USER_AGENT_CSS`` instead of WeasyPrint's full sheet."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_USER_AGENT]
