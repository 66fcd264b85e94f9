"""The reports' cut-down user-agent stylesheet (``assets/reporting/user_agent.py``).

It must change nothing a reader sees: every rule is WeasyPrint's own, it covers every element
the templates write, and the reports come out byte for byte as with WeasyPrint's whole sheet.
"""

from __future__ import annotations

import re
from importlib.resources import files

import tinycss2
import weasyprint.css
from weasyprint import HTML

from assets.reporting.pdf_writer import TEMPLATES_DIR
from assets.reporting.user_agent import ELEMENTS, USER_AGENT_CSS, ReportHTML
from tests.reporting.test_explained_reports import render_week

WEASYPRINT_UA = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")


def _rules(css: str) -> tuple[dict[str, set[str]], list[str]]:
    """Each declaration block's selectors, and the at-rules, as text without extra spaces."""
    by_declarations: dict[str, set[str]] = {}
    at_rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            at_rules.append(" ".join(tinycss2.serialize([rule]).split()))
            continue
        declarations = " ".join(tinycss2.serialize(rule.content).split())
        selectors = {" ".join(s.split()) for s in tinycss2.serialize(rule.prelude).split(",")}
        by_declarations.setdefault(declarations, set()).update(selectors)
    return by_declarations, at_rules


def test_every_rule_is_weasyprints_own_for_the_same_elements():
    ours, our_at_rules = _rules(USER_AGENT_CSS)
    theirs, their_at_rules = _rules(WEASYPRINT_UA)
    for declarations, selectors in ours.items():
        assert declarations in theirs, f"not in WeasyPrint's sheet: {{ {declarations} }}"
        assert selectors <= theirs[declarations], (declarations, selectors - theirs[declarations])
    assert our_at_rules == [rule for rule in their_at_rules if rule.startswith("@page")]


def test_the_templates_write_no_element_the_sheet_was_not_cut_for():
    written = set()
    for template in TEMPLATES_DIR.glob("*.j2"):
        written |= {
            tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", template.read_text())
        }
    assert written, "no template read"
    assert written <= ELEMENTS, f"add the rules of {sorted(written - ELEMENTS)} from html5_ua.css"


def test_the_reports_are_the_same_bytes_as_with_weasyprints_whole_sheet(config, ctx, monkeypatch):
    site_pdf, company_pdf, _ = render_week(config, ctx)
    calls = []
    whole = HTML._ua_stylesheets

    def weasyprints_own(self, forms=False):
        calls.append(forms)
        return whole(self, forms)

    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", weasyprints_own)
    site_again, company_again, _ = render_week(config, ctx)
    assert len(calls) == 2  # WeasyPrint still asks through the method this module overrides
    assert site_again == site_pdf
    assert company_again == company_pdf
