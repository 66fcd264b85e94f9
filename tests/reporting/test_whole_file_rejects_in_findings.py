"""A file rejected whole is a row of the quarantine without a row number: the audit findings
grade it under 7.5.3 (file rejected whole), not as a rejected row nobody could attribute."""

from __future__ import annotations

from assets.reporting.audit_findings import WeekFacts, site_facts
from tests.reporting import frames as F


def _facts(config, ctx, rejected):
    status = F.status_frame([F.person("C01", "Cert", "Person")])
    return site_facts(
        WeekFacts.of(
            status, F.source_files(), F.rejected_rows(rejected), F.unmatched(), config, ctx
        ),
        "S1",
    )


def test_whole_file_rejects_are_not_counted_as_unattributed_rows(config, ctx):
    whole = ("acme", "providers/acme/empty.csv", None, None, "a non-empty file", None)
    row = ("acme", "providers/acme/a.csv", 4, "module", "a known module", "WELD")
    assert _facts(config, ctx, [whole]).unattributed_rejected == 0
    assert _facts(config, ctx, [whole, row]).unattributed_rejected == 1
